package verify

import (
	"bytes"
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// Bounds of the path search: no real path is longer than maxDepth, and
// maxSteps caps the work a pile of cross-signed certificates can cause.
const (
	maxDepth = 10
	maxSteps = 2000
)

// node is a certificate that can take part in a path.
type node struct {
	cert   *x509.Certificate
	index  int    // in the given chain, -1 when not given
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
// certificates, the fetched ones and the anchors, by name and signature.
type pathBuilder struct {
	bySubject map[string][]node
	at        time.Time
	steps     int
}

func newPathBuilder(given []node, roots *bundle.Roots, at time.Time) *pathBuilder {
	b := &pathBuilder{bySubject: map[string][]node{}, at: at}
	for _, n := range given {
		b.add(n)
	}
	if roots != nil {
		for _, a := range roots.Anchors {
			b.add(node{cert: a.Cert, index: -1, source: a.Source, anchor: true, rank: rankStoreAnchor})
		}
	}
	return b
}

// add puts n among the candidates unless the same certificate is there.
func (b *pathBuilder) add(n node) {
	key := string(n.cert.RawSubject)
	for _, have := range b.bySubject[key] {
		if have.cert.Equal(n.cert) {
			return
		}
	}
	b.bySubject[key] = append(b.bySubject[key], n)
}

// givenNode describes certificate i of the chain as a candidate.
func givenNode(c *x509.Certificate, i int, source string, roots *bundle.Roots, at time.Time) node {
	n := node{cert: c, index: i, source: source, rank: rankGiven}
	switch {
	case source == SourceAIA:
		n.rank = rankFetched
	case !at.Before(c.NotBefore) && !at.After(c.NotAfter):
		n.rank = rankGivenValid
	}
	if _, ok := roots.Contains(c); ok {
		n.anchor, n.rank = true, rankGivenAnchor
	}
	return n
}

// build returns the best path from leaf: one that ends at an anchor if any
// does, else one that ends at a self-signed certificate, else the longest.
func (b *pathBuilder) build(leaf node) []node {
	b.steps = 0
	return b.extend([]node{leaf})
}

func (b *pathBuilder) extend(path []node) []node {
	top := path[len(path)-1]
	if top.anchor || isSelfSigned(top.cert) || len(path) >= maxDepth {
		return path
	}
	best := path
	for _, cand := range b.issuers(top.cert) {
		if onPath(path, cand.cert) {
			continue
		}
		if b.steps++; b.steps > maxSteps {
			break
		}
		p := b.extend(append(slices.Clip(path), cand))
		if p[len(p)-1].anchor {
			return p
		}
		if better(p, best) {
			best = p
		}
	}
	return best
}

// issuers returns the candidates that signed c, most preferred first.
func (b *pathBuilder) issuers(c *x509.Certificate) []node {
	var out []node
	for _, n := range b.bySubject[string(c.RawIssuer)] {
		if !n.cert.Equal(c) && signs(n.cert, c) {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(x, y node) int { return x.rank - y.rank })
	return out
}

func better(p, q []node) bool {
	ps, qs := endScore(p), endScore(q)
	if ps != qs {
		return ps > qs
	}
	return len(p) > len(q)
}

func endScore(p []node) int {
	switch top := p[len(p)-1]; {
	case top.anchor:
		return 2
	case isSelfSigned(top.cert):
		return 1
	}
	return 0
}

func onPath(path []node, c *x509.Certificate) bool {
	for _, n := range path {
		if n.cert.Equal(c) {
			return true
		}
	}
	return false
}

// signs reports whether parent's key signed child. Signatures whose hash
// crypto/x509 refuses to check at all (MD5, MD2) are matched by name and
// key identifier instead, so that the path is found and the weak signature
// reported rather than the chain called incomplete.
func signs(parent, child *x509.Certificate) bool {
	if !bytes.Equal(parent.RawSubject, child.RawIssuer) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	if err == nil {
		return true
	}
	var insecure x509.InsecureAlgorithmError
	if errors.As(err, &insecure) {
		return len(child.AuthorityKeyId) == 0 || bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId)
	}
	return false
}

// isSelfSigned reports whether c is signed by its own key.
func isSelfSigned(c *x509.Certificate) bool { return signs(c, c) }

// issuesAny reports whether c signed any certificate of others but itself.
func issuesAny(c *x509.Certificate, others []*x509.Certificate) bool {
	for _, o := range others {
		if !o.Equal(c) && signs(c, o) {
			return true
		}
	}
	return false
}
