package bundle

import (
	"crypto/x509"
	"fmt"
	"sort"
	"strings"
)

// noPath explains a failed build: where the deepest attempt stopped and
// what was searched for the missing issuer.
func (b *builder) noPath(leaf *node) *NoPathError {
	dead := b.dead.path
	if len(dead) == 0 {
		dead = []*node{leaf}
	}
	top := dead[len(dead)-1]
	e := &NoPathError{
		Leaf: leaf.cert, Last: top.cert, LeafOrigin: leaf.origin, LastOrigin: top.origin,
		Depth: len(dead), Loop: b.dead.loop,
		Rejected: b.rejected, Truncated: b.truncated, Searched: b.searched(top),
	}
	for _, imp := range top.impostors {
		e.Impostors = append(e.Impostors, imp.cert)
		e.ImpostorOrigins = append(e.ImpostorOrigins, imp.origin)
	}
	if b.opts.AIA != nil {
		e.Fetched = b.opts.AIA.Results()
	}
	return e
}

// searched describes every place the issuer of n was looked for.
func (b *builder) searched(n *node) []string {
	counts := map[Source]int{}
	for i := range b.pile.entries {
		counts[b.pile.originOf(int32(i)).Source]++
	}
	out := []string{fmt.Sprintf("inputs (%s)", plural(counts[SourceInput], "certificate"))}
	if counts[SourcePool] > 0 {
		out = append(out, fmt.Sprintf("pool (%s)", plural(counts[SourcePool], "certificate")))
	}
	out = append(out, b.storesSearched())
	return append(out, b.aiaSearched(n)...)
}

func (b *builder) storesSearched() string {
	seen := map[string]bool{}
	var names []string
	for _, a := range b.roots.Anchors {
		if !seen[a.Source] {
			seen[a.Source] = true
			names = append(names, a.Source)
		}
	}
	if len(names) == 0 {
		return "no trust store"
	}
	return fmt.Sprintf("trust stores (%s; %s)", strings.Join(names, ", "), plural(len(b.roots.Anchors), "root"))
}

func (b *builder) aiaSearched(n *node) []string {
	urls := n.cert.IssuingCertificateURL
	switch {
	case len(urls) == 0:
		return []string{"AIA (the certificate names no caIssuers URL)"}
	case b.opts.AIA == nil:
		return []string{fmt.Sprintf("AIA (not fetched, offline: %s)", strings.Join(urls, ", "))}
	}
	results := b.opts.AIA.Results()
	var out []string
	for _, u := range urls {
		verdict := "not fetched"
		for _, r := range results {
			if r.URL != u {
				continue
			}
			if r.Err != nil {
				verdict = r.Err.Error()
			} else {
				verdict = plural(r.Certs, "certificate") + ", none verifies"
			}
		}
		out = append(out, fmt.Sprintf("AIA %s (%s)", u, verdict))
	}
	return out
}

// impostorDetail is the dropped detail of an impostor of child's issuer.
func impostorDetail(child *x509.Certificate) string {
	return "named like the issuer of " + Describe(child) + ", but its key does not verify that signature"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// dropped accounts for every input certificate that is not on the chosen
// path.
func (b *builder) dropped(best *candidate) []Dropped {
	onBest := map[nodeID]bool{}
	for _, n := range best.path {
		onBest[n.id] = true
	}
	why := map[nodeID]Dropped{}
	note := func(id nodeID, d Dropped) {
		if _, ok := why[id]; !ok && !onBest[id] {
			why[id] = d
		}
	}
	for _, alt := range b.valid {
		for _, n := range alt.path {
			note(n.id, Dropped{Reason: DropAlternative, Detail: "on another valid path, to " + Describe(alt.path[len(alt.path)-1].cert)})
		}
	}
	for i, path := range b.refused {
		for _, n := range path {
			note(n.id, Dropped{Reason: DropRejected, Detail: "only on a path crypto/x509 refused: " + b.rejected[i].Reason})
		}
	}
	for _, n := range b.sortedNodes() {
		for _, imp := range n.impostors {
			note(imp.id, Dropped{Reason: DropImpostor, Detail: impostorDetail(n.cert)})
		}
	}
	var out []Dropped
	for i := range b.pile.entries {
		id := nodeID{fromPile, int32(i)}
		e := &b.pile.entries[i]
		o := b.pile.originOf(id.idx)
		if o.Source != SourceInput || onBest[id] {
			continue
		}
		cert, err := b.pile.parsed(id.idx)
		if err != nil {
			continue
		}
		d, ok := why[id]
		switch {
		case ok:
		case !e.isCA:
			d = Dropped{Reason: DropOtherLeaf, Detail: "another end-entity certificate"}
		default:
			d = Dropped{Reason: DropUnrelated, Detail: "issues no certificate on a path from the leaf"}
		}
		if !validAt(cert, b.at) {
			d.Detail += fmt.Sprintf(" (and not valid at %s: %s to %s)", b.at.UTC().Format("2006-01-02"),
				cert.NotBefore.UTC().Format("2006-01-02"), cert.NotAfter.UTC().Format("2006-01-02"))
		}
		d.Cert, d.Origin = cert, o
		out = append(out, d)
	}
	return append(out, b.duplicates()...)
}

func (b *builder) duplicates() []Dropped {
	var out []Dropped
	for _, d := range b.pile.dups {
		o := b.pile.origins[d.origin]
		if o.Source != SourceInput {
			continue
		}
		cert, err := b.pile.parsed(d.of)
		if err != nil {
			continue
		}
		first := b.pile.originOf(d.of)
		out = append(out, Dropped{Cert: cert, Origin: o, Reason: DropDuplicate,
			Detail: "the same certificate as in " + first.String()})
	}
	return out
}

// sortedNodes returns the nodes reached, in a stable order.
func (b *builder) sortedNodes() []*node {
	var out []*node
	for _, n := range b.nodes {
		if n != nil {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].id.from != out[j].id.from {
			return out[i].id.from < out[j].id.from
		}
		return out[i].id.idx < out[j].id.idx
	})
	return out
}
