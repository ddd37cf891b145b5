package bundle

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Pile is a set of certificates kept as DER and indexed by raw subject,
// subject key ID and content, without parsing them: a certificate is
// parsed with crypto/x509 only when the path search reaches it. Piles of
// hundreds of thousands of certificates cost little more than their DER,
// and the index holds no pointers for the garbage collector to chase.
//
// A Pile is not safe for concurrent use while certificates are added.
type Pile struct {
	entries     []entry
	origins     []Origin
	dups        []duplicate
	seed        maphash.Seed
	arena       arena
	parsedCerts map[int32]parsedEntry

	// bySubject maps a subject's hash to its latest entry; nextSubject
	// chains entries with the same hash, -1 ending each list. byDER does
	// the same for whole certificates (duplicates), and the key ID index,
	// built on first use as few builds need it.
	bySubject, bySKI, byDER       map[uint64]int32
	nextSubject, nextSKI, nextDER []int32

	size int64
}

// MaxPileSize bounds the DER a Pile holds (256 MiB).
const MaxPileSize = 256 << 20

// ErrPileFull means a Pile would grow beyond MaxPileSize.
var ErrPileFull = fmt.Errorf("more than %d MiB of certificates", MaxPileSize>>20)

// span is a part of an entry's DER.
type span struct{ off, len uint32 }

func (s span) of(der []byte) []byte { return der[s.off : s.off+s.len] }

// entry is one certificate of a pile: where its DER is in the arena and
// where the indexed fields are inside it.
type entry struct {
	der                             ref
	subject, issuer, spki, ski, aki span
	isCA                            bool
	origin                          int32
}

type parsedEntry struct {
	cert *x509.Certificate
	err  error
}

// duplicate records a second copy of entry `of` found at origin.
type duplicate struct{ of, origin int32 }

// NewPile returns an empty pile.
func NewPile() *Pile {
	return &Pile{
		seed:        maphash.MakeSeed(),
		bySubject:   map[uint64]int32{},
		byDER:       map[uint64]int32{},
		parsedCerts: map[int32]parsedEntry{},
	}
}

// Len returns the number of distinct certificates in the pile.
func (p *Pile) Len() int { return len(p.entries) }

func (p *Pile) der(i int32) []byte           { return p.arena.bytes(p.entries[i].der) }
func (p *Pile) field(i int32, s span) []byte { return s.of(p.der(i)) }
func (p *Pile) subjectOf(i int32) []byte     { return p.field(i, p.entries[i].subject) }
func (p *Pile) issuerOf(i int32) []byte      { return p.field(i, p.entries[i].issuer) }
func (p *Pile) spkiOf(i int32) []byte        { return p.field(i, p.entries[i].spki) }
func (p *Pile) skiOf(i int32) []byte         { return p.field(i, p.entries[i].ski) }
func (p *Pile) selfIssued(i int32) bool      { return bytes.Equal(p.subjectOf(i), p.issuerOf(i)) }
func (p *Pile) originOf(i int32) Origin      { return p.origins[p.entries[i].origin] }

// AddCertificate adds a parsed certificate. A certificate already in the
// pile is recorded as a duplicate and not added again. The pile keeps
// c.Raw itself, which the certificate holds anyway, as a chunk of its own:
// no arena allocation, so that certificates Read finds in a PEM stream can
// be added while the scanning goroutine allocates.
func (p *Pile) AddCertificate(c *x509.Certificate, o Origin) error {
	i, err := p.add(c.Raw, p.origin(o), func() ref {
		return ref{chunk: p.arena.adopt(c.Raw), len: uint32(len(c.Raw))}
	})
	if err == nil && i >= 0 {
		p.parsedCerts[i] = parsedEntry{cert: c}
	}
	return err
}

// AddDER adds one DER certificate, read without a full parse. It fails
// when the DER is not a certificate's structure.
func (p *Pile) AddDER(der []byte, o Origin) error {
	_, err := p.add(der, p.origin(o), func() ref {
		buf, r := p.arena.alloc(len(der))
		copy(buf, der)
		return r
	})
	return err
}

func (p *Pile) origin(o Origin) int32 {
	if n := len(p.origins); n > 0 && p.origins[n-1] == o {
		return int32(n - 1)
	}
	p.origins = append(p.origins, o)
	return int32(len(p.origins) - 1)
}

// add indexes der and returns its entry's index, or -1 when it is a
// duplicate or refused. place returns where der's bytes are in the arena;
// it is called only for a certificate the pile keeps.
func (p *Pile) add(der []byte, origin int32, place func() ref) (int32, error) {
	e, err := scanCertificate(der)
	if err != nil {
		return -1, err
	}
	hd := maphash.Bytes(p.seed, der)
	if i := p.find1(hd, der); i >= 0 {
		p.dups = append(p.dups, duplicate{of: i, origin: origin})
		return -1, nil
	}
	if p.size+int64(len(der)) > MaxPileSize {
		return -1, ErrPileFull
	}
	p.size += int64(len(der))
	e.der, e.origin = place(), origin
	idx := int32(len(p.entries))
	p.entries = append(p.entries, e)
	p.nextDER = append(p.nextDER, p.link(p.byDER, hd, idx))
	p.nextSubject = append(p.nextSubject, p.link(p.bySubject, maphash.Bytes(p.seed, e.subject.of(der)), idx))
	if p.bySKI != nil {
		p.indexSKI(idx)
	}
	return idx, nil
}

// indexSKI adds entry i to the key ID index.
func (p *Pile) indexSKI(i int32) {
	next := int32(-1)
	if ski := p.skiOf(i); len(ski) > 0 {
		next = p.link(p.bySKI, maphash.Bytes(p.seed, ski), i)
	}
	p.nextSKI = append(p.nextSKI, next)
}

// link makes idx the head of h's list and returns the previous head.
func (p *Pile) link(m map[uint64]int32, h uint64, idx int32) int32 {
	prev, ok := m[h]
	if !ok {
		prev = -1
	}
	m[h] = idx
	return prev
}

func (p *Pile) head(m map[uint64]int32, h uint64) int32 {
	if i, ok := m[h]; ok {
		return i
	}
	return -1
}

// withSubject returns the entries whose raw subject is name.
func (p *Pile) withSubject(name []byte) []int32 {
	var out []int32
	for i := p.head(p.bySubject, maphash.Bytes(p.seed, name)); i >= 0; i = p.nextSubject[i] {
		if bytes.Equal(p.subjectOf(i), name) {
			out = append(out, i)
		}
	}
	return out
}

// withSKI returns the entries whose subject key ID is id.
func (p *Pile) withSKI(id []byte) []int32 {
	if len(id) == 0 {
		return nil
	}
	if p.bySKI == nil {
		p.bySKI = make(map[uint64]int32, len(p.entries))
		for i := range p.entries {
			p.indexSKI(int32(i))
		}
	}
	var out []int32
	for i := p.head(p.bySKI, maphash.Bytes(p.seed, id)); i >= 0; i = p.nextSKI[i] {
		if bytes.Equal(p.skiOf(i), id) {
			out = append(out, i)
		}
	}
	return out
}

// find returns the entry whose DER is der, or -1.
func (p *Pile) find(der []byte) int32 { return p.find1(maphash.Bytes(p.seed, der), der) }

func (p *Pile) find1(h uint64, der []byte) int32 {
	for i := p.head(p.byDER, h); i >= 0; i = p.nextDER[i] {
		if bytes.Equal(p.der(i), der) {
			return i
		}
	}
	return -1
}

// parsed returns entry i parsed by crypto/x509, parsing it on first use.
func (p *Pile) parsed(i int32) (*x509.Certificate, error) {
	pe, ok := p.parsedCerts[i]
	if !ok {
		pe.cert, pe.err = x509.ParseCertificate(p.der(i))
		if pe.err != nil {
			pe.err = fmt.Errorf("%s: invalid certificate: %s", p.originOf(i).Name, trimX509(pe.err))
		}
		p.parsedCerts[i] = pe
	}
	return pe.cert, pe.err
}

// trimX509 is err's message without crypto/x509's "x509: " prefix.
func trimX509(err error) string { return strings.TrimPrefix(err.Error(), "x509: ") }

var (
	oidSKI = []byte{0x55, 0x1d, 0x0e}
	oidAKI = []byte{0x55, 0x1d, 0x23}
	oidBC  = []byte{0x55, 0x1d, 0x13}
)

var errNotCertificate = errors.New("not a certificate: malformed DER structure")

// scanCertificate reads the fields path building indexes (subject, issuer,
// public key, key IDs, CA flag) with cryptobyte, without crypto/x509's
// full parse. It checks the DER structure of everything it walks.
func scanCertificate(der []byte) (entry, error) {
	var e entry
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !input.Empty() ||
		!cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!cert.SkipASN1(cbasn1.SEQUENCE) || !cert.SkipASN1(cbasn1.BIT_STRING) {
		return e, errNotCertificate
	}
	// As crypto/x509 does: unique IDs from version 2, extensions in
	// version 3, and bytes after the last field ignored.
	version, ok := readVersion(&tbs)
	var issuer, subject, spki cryptobyte.String
	if !ok || !tbs.SkipASN1(cbasn1.INTEGER) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return e, errNotCertificate
	}
	e.issuer, e.subject, e.spki = spanOf(der, issuer), spanOf(der, subject), spanOf(der, spki)
	if version < 1 {
		return e, nil
	}
	if !tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) || !tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) {
		return e, errNotCertificate
	}
	if version != 2 {
		return e, nil
	}
	var exts cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&exts, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return e, errNotCertificate
	}
	if present && !scanExtensions(der, exts, &e) {
		return e, errNotCertificate
	}
	return e, nil
}

// readVersion reads the optional [0] version, 0 (v1) when absent, without
// cryptobyte's interface-typed integer reader, which allocates.
func readVersion(tbs *cryptobyte.String) (int, bool) {
	var wrapped, v cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&wrapped, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return 0, false
	}
	if !present {
		return 0, true
	}
	if !wrapped.ReadASN1(&v, cbasn1.INTEGER) || len(v) != 1 || v[0] > 2 {
		// crypto/x509 refuses versions above 3; any other value is not
		// one this scan needs to tell apart.
		return 0, len(v) > 0
	}
	return int(v[0]), true
}

func scanExtensions(der []byte, exts cryptobyte.String, e *entry) bool {
	var seq cryptobyte.String
	if !exts.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var ext, oid, value cryptobyte.String
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			!ext.SkipOptionalASN1(cbasn1.BOOLEAN) || !ext.ReadASN1(&value, cbasn1.OCTET_STRING) {
			return false
		}
		switch {
		case bytes.Equal(oid, oidSKI):
			var id cryptobyte.String
			if value.ReadASN1(&id, cbasn1.OCTET_STRING) {
				e.ski = spanOf(der, id)
			}
		case bytes.Equal(oid, oidAKI):
			var aki, id cryptobyte.String
			var ok bool
			if value.ReadASN1(&aki, cbasn1.SEQUENCE) &&
				aki.ReadOptionalASN1(&id, &ok, cbasn1.Tag(0).ContextSpecific()) && ok {
				e.aki = spanOf(der, id)
			}
		case bytes.Equal(oid, oidBC):
			var bc cryptobyte.String
			if value.ReadASN1(&bc, cbasn1.SEQUENCE) && bc.PeekASN1Tag(cbasn1.BOOLEAN) {
				var isCA bool
				e.isCA = bc.ReadASN1Boolean(&isCA) && isCA
			}
		}
	}
	return true
}

// spanOf locates part, a sub-slice of der, inside der.
func spanOf(der []byte, part []byte) span {
	return span{off: uint32(cap(der) - cap(part)), len: uint32(len(part))}
}
