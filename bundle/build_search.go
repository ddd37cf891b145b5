package bundle

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"time"
)

// builder holds the state of one Build.
type builder struct {
	ctx   context.Context
	opts  BuildOptions
	at    time.Time
	roots *Roots
	pile  *Pile // the caller's inputs and pool, never changed
	extra *Pile // certificates fetched over AIA, and a forced leaf

	anchorsBySubject map[string][]int
	anchorsBySKI     map[string][]int

	nodes map[nodeID]*node
	work  int

	valid     []*candidate
	rejected  []Rejection
	refused   [][]*node       // the paths of rejected
	checked   map[string]bool // verdict per complete path already checked
	dead      deadEnd
	truncated bool
	ctxErr    error
}

// nodeID names a certificate: an entry of the pile or the AIA pile, or an
// anchor of the roots.
type nodeID struct {
	from uint8 // fromPile, fromExtra, fromAnchor
	idx  int32
}

const (
	fromPile uint8 = iota
	fromExtra
	fromAnchor
)

// node is a certificate the search reached.
type node struct {
	id         nodeID
	cert       *x509.Certificate
	origin     Origin
	anchor     *Anchor // a trust store holds exactly this certificate
	inputRoot  bool    // self-signed input certificate: may end a path
	issuers    []*node // verified issuers found so far
	looked     bool    // issuers looked up
	fetched    bool    // AIA looked up
	impostors  []*node // right name or key ID, wrong key
	loopParent bool    // an issuer was already on the path
}

// candidate is a complete path crypto/x509 accepted.
type candidate struct {
	path  []*node
	kind  AnchorKind
	store string
}

// deadEnd is the longest path that could not go on; a shorter one never
// replaces it, so the deepest stop is the one reported.
type deadEnd struct {
	path []*node
	loop bool
}

func newBuilder(ctx context.Context, pile *Pile, opts BuildOptions) (*builder, error) {
	roots := opts.Roots
	if roots == nil {
		var err error
		if roots, err = LoadRoots(nil, nil); err != nil {
			return nil, err
		}
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	if pile == nil {
		pile = NewPile()
	}
	b := &builder{ctx: ctx, opts: opts, at: at, roots: roots, pile: pile, extra: NewPile(),
		anchorsBySubject: map[string][]int{}, anchorsBySKI: map[string][]int{}, nodes: map[nodeID]*node{}, checked: map[string]bool{}}
	for i, a := range roots.Anchors {
		b.anchorsBySubject[string(a.Cert.RawSubject)] = append(b.anchorsBySubject[string(a.Cert.RawSubject)], i)
		if len(a.Cert.SubjectKeyId) > 0 {
			b.anchorsBySKI[string(a.Cert.SubjectKeyId)] = append(b.anchorsBySKI[string(a.Cert.SubjectKeyId)], i)
		}
	}
	return b, nil
}

// pileOf returns the pile a node id points into.
func (b *builder) pileOf(from uint8) *Pile {
	if from == fromExtra {
		return b.extra
	}
	return b.pile
}

// node returns the node for id, parsing the certificate on first use; nil
// when it does not parse.
func (b *builder) node(id nodeID) *node {
	if n, ok := b.nodes[id]; ok {
		return n
	}
	n := &node{id: id}
	if id.from == fromAnchor {
		a := &b.roots.Anchors[id.idx]
		n.cert, n.anchor = a.Cert, a
		n.origin = Origin{Source: SourceTrustStore, Name: a.Source}
	} else {
		p := b.pileOf(id.from)
		cert, err := p.parsed(id.idx)
		if err != nil {
			b.nodes[id] = nil
			return nil
		}
		n.cert, n.origin = cert, p.originOf(id.idx)
		n.anchor = b.anchorOf(cert)
		n.inputRoot = n.origin.Source == SourceInput && selfSigned(cert)
	}
	b.nodes[id] = n
	return n
}

// anchorOf returns the first anchor that is exactly cert, as
// Roots.Contains finds it, looked up by subject; nil when none is.
func (b *builder) anchorOf(cert *x509.Certificate) *Anchor {
	for _, i := range b.anchorsBySubject[string(cert.RawSubject)] {
		if a := &b.roots.Anchors[i]; a.Cert.Equal(cert) {
			return a
		}
	}
	return nil
}

// selfSigned reports whether c is self-issued and its own key verifies
// its signature (SHA-1 allowed: old roots are self-signed with it).
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// terminal reports whether a path may end at n.
func (n *node) terminal() bool { return n.anchor != nil || n.inputRoot }

// lookupIssuers finds every certificate named like n's issuer or holding
// its authority key ID, and keeps those whose key verifies n's signature.
func (b *builder) lookupIssuers(n *node) {
	n.looked = true
	seen := map[nodeID]bool{n.id: true}
	for _, id := range b.candidateIDs(n.cert) {
		if seen[id] {
			continue
		}
		seen[id] = true
		b.consider(n, id)
	}
}

// candidateIDs lists pile, AIA and anchor certificates by issuer name and
// key ID. Anchors equal to a pile certificate are left to the pile's node.
func (b *builder) candidateIDs(c *x509.Certificate) []nodeID {
	var ids []nodeID
	for _, from := range []uint8{fromPile, fromExtra} {
		p := b.pileOf(from)
		for _, i := range p.withSubject(c.RawIssuer) {
			ids = append(ids, nodeID{from, i})
		}
		for _, i := range p.withSKI(c.AuthorityKeyId) {
			ids = append(ids, nodeID{from, i})
		}
	}
	anchors := append(append([]int(nil), b.anchorsBySubject[string(c.RawIssuer)]...), b.anchorsBySKI[string(c.AuthorityKeyId)]...)
	for _, i := range anchors {
		der := b.roots.Anchors[i].Cert.Raw
		if j := b.pile.find(der); j >= 0 {
			ids = append(ids, nodeID{fromPile, j})
		} else if j := b.extra.find(der); j >= 0 {
			ids = append(ids, nodeID{fromExtra, j})
		} else {
			ids = append(ids, nodeID{fromAnchor, int32(i)})
		}
	}
	return ids
}

// consider checks one candidate issuer of n and records it as an issuer
// or an impostor.
func (b *builder) consider(n *node, id nodeID) {
	p := b.node(id)
	if p == nil {
		return
	}
	b.work++
	if err := checkIssued(n.cert, p.cert); err != nil {
		if bytes.Equal(p.cert.RawSubject, n.cert.RawIssuer) {
			n.impostors = append(n.impostors, p)
		}
		return
	}
	n.issuers = append(n.issuers, p)
}

// checkIssued verifies that parent's key signed child. A signature that
// only fails for its algorithm (SHA-1) still makes an edge, so that Verify
// can say why the path is refused.
func checkIssued(child, parent *x509.Certificate) error {
	err := child.CheckSignatureFrom(parent)
	var insecure x509.InsecureAlgorithmError
	if errors.As(err, &insecure) {
		return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	}
	return err
}

// search extends path (leaf first) by every verified issuer of its top,
// depth first, and records complete paths. It reports whether a valid
// path was found through the top.
func (b *builder) search(path []*node, allowAIA bool) bool {
	top := path[len(path)-1]
	if top.terminal() {
		return b.complete(path)
	}
	if b.stop() || len(path) >= b.maxDepth() {
		b.truncated = b.truncated || b.ctxErr == nil
		return false
	}
	if !top.looked {
		b.lookupIssuers(top)
	}
	found := b.searchIssuers(path, top.issuers, allowAIA)
	if !found && allowAIA && !top.fetched {
		before := len(top.issuers)
		b.fetchIssuers(top)
		found = b.searchIssuers(path, top.issuers[before:], allowAIA)
	}
	if !found {
		b.deadEnd(path)
	}
	return found
}

func (b *builder) searchIssuers(path []*node, issuers []*node, allowAIA bool) bool {
	found := false
	for _, p := range issuers {
		if onPath(path, p) {
			path[len(path)-1].loopParent = true
			continue
		}
		if b.search(append(path[:len(path):len(path)], p), allowAIA) {
			found = true
		}
		if b.stop() {
			break
		}
	}
	return found
}

func (b *builder) deadEnd(path []*node) {
	if len(path) > len(b.dead.path) {
		b.dead = deadEnd{path: path, loop: path[len(path)-1].loopParent}
	}
}

// onPath reports whether p, or the same subject and key (a cross-signed
// copy), is already on path.
func onPath(path []*node, p *node) bool {
	for _, n := range path {
		if n == p || (bytes.Equal(n.cert.RawSubject, p.cert.RawSubject) &&
			bytes.Equal(n.cert.RawSubjectPublicKeyInfo, p.cert.RawSubjectPublicKeyInfo)) {
			return true
		}
	}
	return false
}

func (b *builder) stop() bool {
	if b.ctxErr == nil {
		b.ctxErr = b.ctx.Err()
	}
	if b.ctxErr != nil {
		return true
	}
	if b.work >= orDefault(b.opts.MaxWork, DefaultMaxWork) || len(b.valid)+len(b.rejected) >= maxCompletePaths {
		b.truncated = true
		return true
	}
	return false
}

func (b *builder) maxDepth() int { return orDefault(b.opts.MaxDepth, DefaultMaxDepth) }

// fetchIssuers downloads the caIssuers URLs of n and considers what they
// hold.
func (b *builder) fetchIssuers(n *node) {
	n.fetched = true
	if b.opts.AIA == nil {
		return
	}
	for _, u := range n.cert.IssuingCertificateURL {
		certs, err := b.opts.AIA.Fetch(b.ctx, u)
		if err != nil {
			continue
		}
		for _, c := range certs {
			if b.pile.find(c.Raw) >= 0 || b.extra.find(c.Raw) >= 0 {
				continue
			}
			if b.extra.AddCertificate(c, Origin{Source: SourceAIA, Name: u}) == nil {
				b.consider(n, nodeID{fromExtra, int32(b.extra.Len() - 1)})
			}
		}
	}
}

// fingerprintMatches reports whether want is c's SHA-256 in hex (any case,
// colons allowed).
func fingerprintMatches(c *x509.Certificate, want string) bool {
	clean := bytes.ToLower(bytes.ReplaceAll([]byte(want), []byte(":"), nil))
	return Fingerprint(c) == string(clean)
}
