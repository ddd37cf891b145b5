package verify

import (
	"crypto/x509"
	"slices"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// Bounds of the path search: no real path is longer than maxDepth, and
// maxSteps caps the paths a pile of cross-signed certificates can make the
// search walk. The signature checks of the search (choosing the leaf,
// finding issuers) are capped at checksBase + checksPerCert per given
// certificate, the candidates looked at to ten times that: a crafted pile
// of certificates that all share one name cannot make Check quadratic.
// With the check of each certificate against the next one, Check makes at
// most checksBase + 2 checks per certificate (+ maxDepth for the roles).
const (
	maxDepth       = 10
	maxSteps       = 2000
	checksBase     = 1000
	checksPerCert  = 1
	lookedPerCheck = 10
)

// limit says why the search stopped before it was done.
type limit uint8

const (
	noLimit     limit = iota
	limitChecks       // the signature checks ran out
	limitLooked       // the candidates to look at ran out
	limitSteps        // too many paths were walked
)

// node is a certificate that can take part in a path.
type node struct {
	cert   *x509.Certificate
	index  int    // in the given chain, -1 when not given
	pos    int    // among the given certificates without duplicates, -1 when not given
	source string // SourceGiven, SourceAIA or the anchor's store
	anchor bool   // a trust anchor of the roots
	rank   int    // preference among issuers with one name, lower first
}

// Issuer preference: a given certificate that is itself an anchor, then an
// anchor of the store, then given certificates valid now, then the rest.
const (
	rankGivenAnchor = iota
	rankStoreAnchor
	rankGivenValid
	rankGiven
	rankFetched
)

// pathBuilder finds the path from a leaf to a trust anchor among the given
// certificates, the fetched ones and the anchors, by name, key identifier
// and signature. Every signature is checked once and the search is
// bounded (see checksBase); when a bound is hit, limit says which.
type pathBuilder struct {
	candidates   keyIndex // issuers: given, fetched, anchors
	children     keyIndex // given certificates, by issuer
	given        []node   // the given certificates without duplicates, in order
	roots        *bundle.Roots
	anchors      map[string][]int             // indexes in roots.Anchors by raw subject
	givenAnchors map[*x509.Certificate]bool   // anchors that were given too
	found        map[*x509.Certificate][]node // issuers already looked up
	sigs         *signatures
	at           time.Time

	steps, checks, looked int
	maxChecks, maxLooked  int
	limit                 limit
}

func newPathBuilder(roots *bundle.Roots, at time.Time, certs int) *pathBuilder {
	anchors := 0
	if roots != nil {
		anchors = len(roots.Anchors)
	}
	b := &pathBuilder{
		candidates: newKeyIndex(subjectKeyID, certs+anchors), children: newKeyIndex(authorityKeyID, certs),
		roots: roots, anchors: map[string][]int{}, givenAnchors: map[*x509.Certificate]bool{},
		found: map[*x509.Certificate][]node{}, sigs: newSignatures(), at: at,
		maxChecks: checksBase + checksPerCert*certs,
	}
	b.maxLooked = lookedPerCheck * b.maxChecks
	if roots != nil {
		for i, a := range roots.Anchors {
			b.anchors[string(a.Cert.RawSubject)] = append(b.anchors[string(a.Cert.RawSubject)], i)
		}
	}
	return b
}

// anchorOf returns the anchor of the roots that is exactly c.
func (b *pathBuilder) anchorOf(c *x509.Certificate) (bundle.Anchor, bool) {
	for _, i := range b.anchors[string(c.RawSubject)] {
		if a := b.roots.Anchors[i]; a.Cert.Equal(c) {
			return a, true
		}
	}
	return bundle.Anchor{}, false
}

// newNode describes c, certificate i of the chain (-1 when fetched), as a
// candidate.
func (b *pathBuilder) newNode(c *x509.Certificate, i int, source string) node {
	n := node{cert: c, index: i, pos: -1, source: source, rank: rankGiven}
	switch {
	case source == SourceAIA:
		n.rank = rankFetched
	case !b.at.Before(c.NotBefore) && !b.at.After(c.NotAfter):
		n.rank = rankGivenValid
	}
	if a, ok := b.anchorOf(c); ok {
		n.anchor, n.rank = true, rankGivenAnchor
		b.givenAnchors[a.Cert] = true
	}
	return n
}

// addGiven puts a given certificate (no duplicate) among the candidates
// and returns it with its position.
func (b *pathBuilder) addGiven(n node) node {
	n.pos = len(b.given)
	b.given = append(b.given, n)
	b.candidates.add(n)
	b.children.add(n)
	return n
}

// addAnchors puts the anchors that were not given among the candidates.
func (b *pathBuilder) addAnchors() {
	if b.roots == nil {
		return
	}
	for _, a := range b.roots.Anchors {
		if !b.givenAnchors[a.Cert] {
			b.candidates.add(node{cert: a.Cert, index: -1, pos: -1, source: a.Source, anchor: true, rank: rankStoreAnchor})
		}
	}
}

// addFetched puts a fetched certificate among the candidates.
func (b *pathBuilder) addFetched(n node) {
	b.candidates.add(n)
	clear(b.found)
}

// build returns the best path from leaf: one that ends at an anchor if any
// does, else one that ends at a self-signed certificate, else the longest.
func (b *pathBuilder) build(leaf node) []node {
	b.steps = 0
	return b.extend([]node{leaf})
}

func (b *pathBuilder) extend(path []node) []node {
	top := path[len(path)-1]
	if top.anchor || b.selfSigned(top.cert) || len(path) >= maxDepth {
		return path
	}
	best := path
	for _, cand := range b.issuers(top) {
		if onPath(path, cand.cert) {
			continue
		}
		if b.steps++; b.steps > maxSteps {
			b.stop(limitSteps)
			break
		}
		p := b.extend(append(slices.Clip(path), cand))
		if p[len(p)-1].anchor {
			return p
		}
		if b.better(p, best) {
			best = p
		}
	}
	return best
}

// issuers returns the candidates that signed c, most preferred first: the
// one found by signerOf and the others with its name and public key (a
// signature verifies under one key).
func (b *pathBuilder) issuers(c node) []node {
	if out, ok := b.found[c.cert]; ok || b.limit != noLimit {
		return out
	}
	var out []node
	if signer, ok := b.signerOf(c); ok {
		b.candidates.eachSameKey(c.cert.RawIssuer, signer.cert.RawSubjectPublicKeyInfo, func(n node) bool {
			if !b.look() {
				return false
			}
			b.sigs.sameKey(n.cert, signer.cert, c.cert)
			if n.cert != c.cert && !n.cert.Equal(c.cert) && b.sigs.signs(n.cert, c.cert) {
				out = append(out, n)
			}
			return true
		})
	}
	slices.SortStableFunc(out, func(x, y node) int { return x.rank - y.rank })
	b.found[c.cert] = out
	return out
}

// signerOf finds a candidate other than c whose key signed c. It tries
// c's neighbours among the given certificates first (files hold chains in
// one order or the other; whether the next one signed c is asked of every
// pair anyway, see checkSignatures, so that check is not the search's),
// then c's own key, then the candidates whose subject key ID matches c's
// authority key ID or who have none, and only then those whose key ID
// contradicts it, as crypto/x509 tries them last.
func (b *pathBuilder) signerOf(c node) (signer node, found bool) {
	try := func(n node) bool {
		if !b.look() {
			return false
		}
		if n.pos >= 0 && n.pos == c.pos+1 {
			found = b.sigs.signs(n.cert, c.cert)
		} else {
			found = b.check(n.cert, c.cert)
		}
		if found && n.cert == c.cert {
			found = b.hasOtherSameKey(c)
			return false // its own key: only another certificate of that key counts
		}
		signer = n
		return !found
	}
	if !each(b.neighbours(c), try) {
		return signer, found
	}
	if !try(c) {
		return c, found
	}
	b.candidates.eachLikely(c.cert.RawIssuer, c.cert.AuthorityKeyId, try)
	if !found && b.limit == noLimit {
		b.candidates.eachOther(c.cert.RawIssuer, c.cert.AuthorityKeyId, try)
	}
	return signer, found
}

// hasOtherSameKey reports whether a candidate other than self-signed c has
// its name and key (a cross-signed copy).
func (b *pathBuilder) hasOtherSameKey(c node) bool {
	other := false
	b.candidates.eachSameKey(c.cert.RawIssuer, c.cert.RawSubjectPublicKeyInfo, func(n node) bool {
		other = !n.cert.Equal(c.cert)
		return !other
	})
	return other
}

// neighbours returns the given certificates next to c, the next first.
func (b *pathBuilder) neighbours(c node) []node {
	var out []node
	for _, p := range []int{c.pos + 1, c.pos - 1} {
		if c.pos >= 0 && p >= 0 && p < len(b.given) {
			out = append(out, b.given[p])
		}
	}
	return out
}

// issuesGiven reports whether p signed a given certificate other than
// itself, in the sense of issuers.
func (b *pathBuilder) issuesGiven(p node) bool {
	if b.limit != noLimit {
		return false
	}
	issued := false
	signedBy := func(c node) bool {
		if c.cert == p.cert || string(c.cert.RawIssuer) != string(p.cert.RawSubject) {
			return true
		}
		if !b.look() {
			return false
		}
		issued = slices.ContainsFunc(b.issuers(c), func(n node) bool { return n.cert == p.cert })
		return !issued && b.limit == noLimit
	}
	if !each(b.neighbours(p), signedBy) {
		return issued
	}
	b.children.eachLikely(p.cert.RawSubject, p.cert.SubjectKeyId, signedBy)
	if !issued && b.limit == noLimit {
		b.children.eachOther(p.cert.RawSubject, p.cert.SubjectKeyId, signedBy)
	}
	return issued
}

// check is a signature check of the search, within its bound.
func (b *pathBuilder) check(parent, child *x509.Certificate) bool {
	if !b.sigs.known(parent, child) && string(parent.RawSubject) == string(child.RawIssuer) {
		if b.checks >= b.maxChecks {
			b.stop(limitChecks)
			return false
		}
		b.checks++
	}
	return b.sigs.signs(parent, child)
}

// look counts a candidate looked at, within its bound.
func (b *pathBuilder) look() bool {
	if b.looked >= b.maxLooked {
		b.stop(limitLooked)
		return false
	}
	b.looked++
	return true
}

func (b *pathBuilder) stop(why limit) {
	if b.limit == noLimit {
		b.limit = why
	}
}

// selfSigned reports whether c is signed by its own key.
func (b *pathBuilder) selfSigned(c *x509.Certificate) bool { return b.check(c, c) }

func (b *pathBuilder) better(p, q []node) bool {
	ps, qs := b.endScore(p), b.endScore(q)
	if ps != qs {
		return ps > qs
	}
	return len(p) > len(q)
}

func (b *pathBuilder) endScore(p []node) int {
	switch top := p[len(p)-1]; {
	case top.anchor:
		return 2
	case b.selfSigned(top.cert):
		return 1
	}
	return 0
}

// complete reports whether path ends at a trust anchor or a self-signed
// root: nothing more can be added to it.
func (b *pathBuilder) complete(path []node) bool { return b.endScore(path) > 0 }

func onPath(path []node, c *x509.Certificate) bool {
	for _, n := range path {
		if n.cert.Equal(c) {
			return true
		}
	}
	return false
}
