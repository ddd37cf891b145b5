package bundle

import (
	"context"
	"crypto"
	"crypto/x509"
	"time"
)

// BuildOptions tune Build. The zero value trusts the system and Mozilla
// stores, judges validity now and never touches the network.
type BuildOptions struct {
	// Roots are the trust anchors; nil means LoadRoots(nil, nil), the
	// system store plus the embedded Mozilla roots.
	Roots *Roots
	// At is the time validity is judged at; zero means now.
	At time.Time
	// Leaf, when set, is the end-entity certificate to build for, instead
	// of choosing it among the pile's inputs by key or by shape. It is
	// added to the pile as an input when missing.
	Leaf *x509.Certificate
	// PreferRoot prefers, among valid paths, those ending at the root
	// whose subject common name is this (case-insensitive) or whose
	// SHA-256 fingerprint is this (hex, colons allowed).
	PreferRoot string
	// AIA fetches issuers the pile lacks from caIssuers URLs, once the
	// pile alone gave no valid path; nil means offline.
	AIA *AIAFetcher
	// MaxDepth bounds how many certificates a path holds; 0 means 10.
	MaxDepth int
	// MaxWork bounds the signature checks and path verifications of one
	// build; 0 means 5000.
	MaxWork int
	// ListDropped fills Chain.Dropped. It parses every input certificate,
	// so leave it off for large piles unless the report is wanted.
	ListDropped bool
}

// Defaults of BuildOptions.
const (
	DefaultMaxDepth  = 10
	DefaultMaxWork   = 5000
	maxCompletePaths = 64
)

// Build finds the leaf among the pile's input certificates and the best
// path from it to a trust anchor.
//
// The leaf is BuildOptions.Leaf when set; else the input certificate whose
// public key matches one of keys (compared as public keys, never by name);
// else, with no keys, the one input certificate that is not a CA and
// issues no other input. Its errors are *KeyMismatchError,
// *SeveralLeavesError and ErrNoLeaf.
//
// Candidate issuers are looked up by raw subject and by subject key ID, in
// the pile (inputs and pool), among the anchors of opts.Roots and, when the
// pile gives no valid path and opts.AIA is set, at the caIssuers URLs of
// the certificates reached. An edge exists only when the candidate's key
// verifies the signature. Every path to an anchor (bounded by MaxDepth and
// MaxWork, loops cut) is then checked with crypto/x509's Verify given
// exactly that anchor and those intermediates, for serverAuth at opts.At:
// dates, constraints, key usages, name constraints and algorithms are the
// standard library's verdict. A self-signed root found only among the
// inputs may end a path (AnchorInputOnly).
//
// Among valid paths Build prefers, in order: the root opts.PreferRoot
// names; every certificate valid at opts.At (always so for accepted
// paths); an anchor from a --roots file, then from the system or Mozilla
// store, then an input-only root; intermediates that outlive the leaf;
// the shortest path; the newest intermediates; and, to break ties, the
// fewest intermediates from the pool or AIA.
//
// When no path is accepted the error is a *NoPathError explaining where
// the search stopped and what it tried. Build never prints and never
// changes the pile: fetched certificates are kept apart.
func Build(ctx context.Context, pile *Pile, keys []crypto.Signer, opts BuildOptions) (*Chain, error) {
	b, err := newBuilder(ctx, pile, opts)
	if err != nil {
		return nil, err
	}
	leaf, key, err := b.chooseLeaf(keys)
	if err != nil {
		return nil, err
	}
	return b.build(leaf, key)
}

// PileOf returns a pile holding certs as inputs named name.
func PileOf(name string, certs ...*x509.Certificate) *Pile {
	p := NewPile()
	for _, c := range certs {
		_ = p.AddCertificate(c, Origin{Source: SourceInput, Name: name})
	}
	return p
}

// Complete builds the path for chain[0] with the rest of chain as the
// other inputs, as Build does with opts.Leaf set to chain[0]. It suits
// verify.Options.Complete: with opts.AIA set, a chain whose issuer is
// missing is completed over the network.
func Complete(ctx context.Context, chain []*x509.Certificate, opts BuildOptions) (*Chain, error) {
	if len(chain) == 0 {
		return nil, ErrNoLeaf
	}
	opts.Leaf = chain[0]
	return Build(ctx, PileOf("chain", chain...), nil, opts)
}
