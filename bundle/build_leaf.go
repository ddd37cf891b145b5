package bundle

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"hash/maphash"
	"sort"
	"strings"
	"time"
)

// chooseLeaf picks the leaf: the forced one, the one a key matches, or
// the one end-entity certificate of the inputs.
func (b *builder) chooseLeaf(keys []crypto.Signer) (*node, crypto.Signer, error) {
	if c := b.opts.Leaf; c != nil {
		id := nodeID{fromPile, b.pile.find(c.Raw)}
		if id.idx < 0 {
			if err := b.extra.AddCertificate(c, Origin{Source: SourceInput, Name: "leaf"}); err != nil {
				return nil, nil, err
			}
			id = nodeID{fromExtra, int32(b.extra.Len() - 1)}
		}
		n := b.node(id)
		return n, FindKey(c, keys), nil
	}
	inputs := b.inputs()
	if len(keys) > 0 {
		return b.leafByKey(inputs, keys)
	}
	n, err := b.leafByShape(inputs)
	return n, nil, err
}

// inputs lists the pile entries that came from inputs.
func (b *builder) inputs() []int32 {
	var out []int32
	for i := range b.pile.entries {
		if b.pile.originOf(int32(i)).Source == SourceInput {
			out = append(out, int32(i))
		}
	}
	return out
}

type keyMatch struct {
	idx int32
	key crypto.Signer
}

// leafByKey finds the inputs whose public key is one of keys: first by
// comparing encoded public keys, then, if none matched, by parsing them.
func (b *builder) leafByKey(inputs []int32, keys []crypto.Signer) (*node, crypto.Signer, error) {
	var matches []keyMatch
	for _, k := range keys {
		pub, err := x509.MarshalPKIXPublicKey(k.Public())
		if err != nil {
			continue
		}
		for _, i := range inputs {
			if bytes.Equal(b.pile.spkiOf(i), pub) {
				matches = append(matches, keyMatch{i, k})
			}
		}
	}
	if len(matches) == 0 {
		for _, i := range inputs {
			pub, err := x509.ParsePKIXPublicKey(b.pile.spkiOf(i))
			if err != nil {
				continue
			}
			for _, k := range keys {
				if eq, ok := k.Public().(interface{ Equal(crypto.PublicKey) bool }); ok && eq.Equal(pub) {
					matches = append(matches, keyMatch{i, k})
				}
			}
		}
	}
	if leaves := distinctKeyLeaves(b, matches); len(leaves) > 1 {
		return nil, nil, &SeveralLeavesError{Leaves: leaves}
	}
	var best *node
	var bestKey crypto.Signer
	for _, m := range matches {
		n, err := b.inputNode(m.idx)
		if err != nil {
			return nil, nil, err
		}
		if best == nil || b.betterLeaf(n.cert, best.cert) {
			best, bestKey = n, m.key
		}
	}
	if best == nil {
		return nil, nil, &KeyMismatchError{Keys: len(keys), Candidates: len(inputs)}
	}
	return best, bestKey, nil
}

// distinctKeyLeaves returns one certificate per public key when several
// keys each matched a certificate: a folder with two sites' keys and
// certificates has no single leaf. Keys are told apart by their own
// encoded public key: not with == (the same key read twice is two values,
// and comparing Ed25519 keys, which are slices, panics), nor by the
// certificates' encodings, which can differ for one key when matched by
// parsing.
func distinctKeyLeaves(b *builder, matches []keyMatch) []*x509.Certificate {
	seen := map[string]bool{}
	var out []*x509.Certificate
	for _, m := range matches {
		der, err := x509.MarshalPKIXPublicKey(m.key.Public())
		if err != nil {
			der = b.pile.spkiOf(m.idx) // a key type crypto/x509 cannot encode
		}
		if seen[string(der)] {
			continue
		}
		if n := b.node(nodeID{fromPile, m.idx}); n != nil {
			seen[string(der)] = true
			out = append(out, n.cert)
		}
	}
	return out
}

// betterLeaf orders certificates sharing one key: an end-entity before a
// CA, valid now before not, then the one that expires last.
func (b *builder) betterLeaf(x, y *x509.Certificate) bool {
	if x.IsCA != y.IsCA {
		return !x.IsCA
	}
	if vx, vy := validAt(x, b.at), validAt(y, b.at); vx != vy {
		return vx
	}
	return x.NotAfter.After(y.NotAfter)
}

// leafByShape finds the one input that is not a CA and issues no other
// input. Self-issued certificates count only when nothing else does.
func (b *builder) leafByShape(inputs []int32) (*node, error) {
	p := b.pile
	issuers := map[uint64]bool{}
	for _, i := range inputs {
		issuers[maphash.Bytes(p.seed, p.issuerOf(i))] = true
	}
	var cands, selfIssued []int32
	for _, i := range inputs {
		if p.entries[i].isCA || (issuers[maphash.Bytes(p.seed, p.subjectOf(i))] && b.issuesAnInput(i, inputs)) {
			continue
		}
		if p.selfIssued(i) {
			selfIssued = append(selfIssued, i)
		} else {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		cands = selfIssued
	}
	var nodes []*node
	for _, i := range cands {
		n, err := b.inputNode(i)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	switch len(nodes) {
	case 0:
		return nil, ErrNoLeaf
	case 1:
		return nodes[0], nil
	}
	certs := make([]*x509.Certificate, len(nodes))
	for i, n := range nodes {
		certs[i] = n.cert
	}
	sort.SliceStable(certs, func(i, j int) bool { return certs[i].Subject.CommonName < certs[j].Subject.CommonName })
	return nil, &SeveralLeavesError{Leaves: certs}
}

// inputNode returns the node of a leaf candidate, or why crypto/x509
// refuses the certificate: a leaf that does not parse is bad input, not a
// certificate to skip.
func (b *builder) inputNode(i int32) (*node, error) {
	if _, err := b.pile.parsed(i); err != nil {
		return nil, err
	}
	return b.node(nodeID{fromPile, i}), nil
}

// issuesAnInput reports whether input i verifiably issued another input.
func (b *builder) issuesAnInput(i int32, inputs []int32) bool {
	p := b.pile
	subject := p.subjectOf(i)
	for _, j := range inputs {
		if j == i || !bytes.Equal(p.issuerOf(j), subject) {
			continue
		}
		parent, child := b.node(nodeID{fromPile, i}), b.node(nodeID{fromPile, j})
		if parent != nil && child != nil && checkIssued(child.cert, parent.cert) == nil {
			return true
		}
	}
	return false
}

// validAt reports whether at is within c's validity period.
func validAt(c *x509.Certificate, at time.Time) bool {
	return !at.Before(c.NotBefore) && !at.After(c.NotAfter)
}

// build searches from the leaf, offline first, then with AIA, and
// assembles the chain.
func (b *builder) build(leaf *node, key crypto.Signer) (*Chain, error) {
	b.search([]*node{leaf}, false)
	if len(b.valid) == 0 && b.opts.AIA != nil && b.ctxErr == nil {
		b.truncated, b.work = false, 0
		b.search([]*node{leaf}, true)
	}
	if b.ctxErr != nil {
		return nil, b.ctxErr
	}
	if len(b.valid) == 0 {
		return nil, b.noPath(leaf)
	}
	sort.SliceStable(b.valid, func(i, j int) bool { return b.compare(b.valid[i], b.valid[j]) < 0 })
	best := b.valid[0]
	c := &Chain{Path: b.toPath(best.path, best.kind, best.store), Key: key, Rejected: b.rejected}
	for _, alt := range b.valid[1:] {
		c.Alternatives = append(c.Alternatives, b.toPath(alt.path, alt.kind, alt.store))
	}
	c.PreferredRootMissing = b.opts.PreferRoot != "" && !b.preferred(best)
	if b.opts.AIA != nil {
		c.Fetched = b.opts.AIA.Results()
	}
	if b.opts.ListDropped {
		c.Dropped = b.dropped(best)
	}
	return c, nil
}

// compare orders valid paths, best first, by the rules Build documents.
func (b *builder) compare(x, y *candidate) int {
	if px, py := b.preferred(x), b.preferred(y); px != py {
		return boolOrder(px)
	}
	if vx, vy := b.allValid(x), b.allValid(y); vx != vy {
		return boolOrder(vx)
	}
	if rx, ry := anchorRank(x.kind), anchorRank(y.kind); rx != ry {
		return rx - ry
	}
	if ox, oy := outlivesLeaf(x), outlivesLeaf(y); ox != oy {
		return boolOrder(ox)
	}
	if len(x.path) != len(y.path) {
		return len(x.path) - len(y.path)
	}
	for i := 1; i < len(x.path)-1; i++ {
		if c := y.path[i].cert.NotBefore.Compare(x.path[i].cert.NotBefore); c != 0 {
			return c
		}
	}
	// Ties go to the path that needs least from outside the inputs.
	return fetchedLinks(x) - fetchedLinks(y)
}

// fetchedLinks counts the intermediates of a path that came from the pool
// or AIA rather than the inputs.
func fetchedLinks(c *candidate) int {
	n := 0
	for i := 1; i < len(c.path)-1; i++ {
		if s := c.path[i].origin.Source; s == SourcePool || s == SourceAIA {
			n++
		}
	}
	return n
}

func boolOrder(first bool) int {
	if first {
		return -1
	}
	return 1
}

func anchorRank(k AnchorKind) int {
	switch k {
	case AnchorExplicit:
		return 0
	case AnchorStore:
		return 1
	}
	return 2
}

func (b *builder) preferred(c *candidate) bool {
	want := strings.TrimSpace(b.opts.PreferRoot)
	if want == "" {
		return false
	}
	root := c.path[len(c.path)-1].cert
	return strings.EqualFold(root.Subject.CommonName, want) || fingerprintMatches(root, want)
}

func (b *builder) allValid(c *candidate) bool {
	for _, n := range c.path {
		if !validAt(n.cert, b.at) {
			return false
		}
	}
	return true
}

func outlivesLeaf(c *candidate) bool {
	leaf := c.path[0].cert
	for i := 1; i < len(c.path)-1; i++ {
		if c.path[i].cert.NotAfter.Before(leaf.NotAfter) {
			return false
		}
	}
	return true
}
