package bundle

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Source says where a certificate of a chain came from.
type Source string

// The sources a certificate can come from.
const (
	// SourceInput is a file (or stdin) the user gave as input.
	SourceInput Source = "input"
	// SourcePool is an extra candidate file (--pool).
	SourcePool Source = "pool"
	// SourceAIA is a certificate fetched from an AIA caIssuers URL.
	SourceAIA Source = "aia"
	// SourceTrustStore is a trust anchor from a root store.
	SourceTrustStore Source = "trust-store"
)

// Origin is where one certificate came from: its source and the file,
// URL or store name ("system", "mozilla" or a --roots file).
type Origin struct {
	Source Source
	Name   string
}

func (o Origin) String() string {
	if o.Name == "" {
		return string(o.Source)
	}
	return string(o.Source) + " " + o.Name
}

// Link is one certificate of a path and where it came from.
type Link struct {
	Cert   *x509.Certificate
	Origin Origin
}

// AnchorKind says why the last certificate of a path is trusted.
type AnchorKind string

// Anchor kinds, in the order Build prefers them.
const (
	// AnchorExplicit is a root from a --roots file (Roots anchor whose
	// Source is a file name).
	AnchorExplicit AnchorKind = "explicit"
	// AnchorStore is a root of the system or Mozilla store.
	AnchorStore AnchorKind = "store"
	// AnchorInputOnly is a self-signed root found only among the inputs,
	// in no trust store: a private PKI's root.
	AnchorInputOnly AnchorKind = "input-only"
)

// Path is one chain from the leaf (first) to the certificate it is
// anchored at (last). Every path Build returns was accepted by crypto/x509
// exactly as it is, for serverAuth at the build time.
type Path struct {
	Links []Link
	// Anchor says why the last certificate is trusted.
	Anchor AnchorKind
	// Store names the root store that holds the last certificate
	// ("system", "mozilla" or a --roots file); empty for AnchorInputOnly.
	Store string
}

// Certificates returns the certificates of the path, leaf first, anchor
// last.
func (p *Path) Certificates() []*x509.Certificate {
	out := make([]*x509.Certificate, len(p.Links))
	for i, l := range p.Links {
		out[i] = l.Cert
	}
	return out
}

// Root returns the certificate the path is anchored at.
func (p *Path) Root() *x509.Certificate { return p.Links[len(p.Links)-1].Cert }

// Chain is the result of Build: the chosen path, the key of its leaf and
// an account of everything else that was considered.
type Chain struct {
	// Path is the chosen path, leaf first and anchor last.
	Path
	// Key is the leaf's private key, nil when no key was given.
	Key crypto.Signer
	// Alternatives are the other valid paths, best first.
	Alternatives []Path
	// Rejected are complete paths crypto/x509 refused, with the reason.
	Rejected []Rejection
	// Dropped lists the input certificates left out of the chain and why.
	// Filled only when BuildOptions.ListDropped is set.
	Dropped []Dropped
	// Fetched lists the AIA fetches made (or answered from the cache).
	Fetched []AIAResult
	// PreferredRootMissing is set when BuildOptions.PreferRoot named a
	// root that no valid path ends at; the best other path was chosen.
	PreferredRootMissing bool
}

// Leaf returns the end-entity certificate.
func (c *Chain) Leaf() *x509.Certificate { return c.Links[0].Cert }

// Intermediates returns the certificates between the leaf and the anchor.
func (c *Chain) Intermediates() []*x509.Certificate {
	if len(c.Links) < 2 {
		return nil
	}
	out := make([]*x509.Certificate, 0, len(c.Links)-2)
	for _, l := range c.Links[1 : len(c.Links)-1] {
		out = append(out, l.Cert)
	}
	return out
}

// SelfSigned reports whether the leaf is its own anchor (a path of one).
func (c *Chain) SelfSigned() bool { return len(c.Links) == 1 }

// LeafIsCA reports whether the leaf is a CA certificate issued by another
// one: what happens when the key given is a CA's, and what verify reports
// as leaf-is-ca. A self-signed leaf (a path of one) never counts: `openssl
// req -x509` marks the server certificates it makes CA:TRUE.
func (c *Chain) LeafIsCA() bool {
	leaf := c.Leaf()
	return leaf.BasicConstraintsValid && leaf.IsCA && !c.SelfSigned()
}

// Served returns what a server sends: the leaf and the intermediates, and
// the anchor too when includeRoot is set. A self-signed leaf is returned
// alone.
func (c *Chain) Served(includeRoot bool) []*x509.Certificate {
	certs := c.Certificates()
	if includeRoot || len(certs) == 1 {
		return certs
	}
	return certs[:len(certs)-1]
}

// Rejection is a complete path to an anchor that crypto/x509 refused.
type Rejection struct {
	Path Path
	// Reason is crypto/x509's verdict in a sentence naming the certificate.
	Reason string
}

// DropReason says why an input certificate is not in the chain.
type DropReason string

// Drop reasons.
const (
	// DropDuplicate is a second copy of a certificate already seen.
	DropDuplicate DropReason = "duplicate"
	// DropImpostor has the name of an issuer on the path but its key does
	// not verify the signature below it.
	DropImpostor DropReason = "impostor"
	// DropAlternative is on a valid path that was not chosen.
	DropAlternative DropReason = "alternative"
	// DropRejected is only on paths crypto/x509 refused (expired, ...).
	DropRejected DropReason = "rejected"
	// DropOtherLeaf is an end-entity certificate other than the leaf.
	DropOtherLeaf DropReason = "other-leaf"
	// DropUnrelated issues nothing on any path to the leaf.
	DropUnrelated DropReason = "unrelated"
)

// Dropped is an input certificate left out of the chain.
type Dropped struct {
	Cert   *x509.Certificate
	Origin Origin
	Reason DropReason
	// Detail is one sentence more (which certificate it duplicates, which
	// signature it fails, why its path was rejected).
	Detail string
}

// Sentinel errors of Build, for errors.Is. The typed errors below wrap
// them with details.
var (
	// ErrNoLeaf means no input certificate can be the leaf: every one is
	// a CA certificate, or issues another certificate of the inputs.
	ErrNoLeaf = errors.New("no end-entity certificate among the inputs")
	// ErrSeveralLeaves means several input certificates could be the leaf
	// and no private key says which.
	ErrSeveralLeaves = errors.New("several end-entity certificates among the inputs")
	// ErrKeyMismatch means a private key was given but matches no input
	// certificate.
	ErrKeyMismatch = errors.New("the private key matches no certificate")
	// ErrNoPath means no path from the leaf to a trust anchor was accepted.
	ErrNoPath = errors.New("no valid chain")
)

// SeveralLeavesError lists the certificates that could each be the leaf.
type SeveralLeavesError struct {
	Leaves []*x509.Certificate
}

func (e *SeveralLeavesError) Error() string {
	names := make([]string, len(e.Leaves))
	for i, c := range e.Leaves {
		names[i] = Describe(c)
	}
	return fmt.Sprintf("%d end-entity certificates could be the leaf: %s", len(e.Leaves), strings.Join(names, ", "))
}

// Is makes errors.Is(err, ErrSeveralLeaves) true.
func (e *SeveralLeavesError) Is(target error) bool { return target == ErrSeveralLeaves }

// KeyMismatchError says which keys matched nothing.
type KeyMismatchError struct {
	// Keys is how many private keys were tried.
	Keys int
	// Candidates is how many input certificates they were compared with.
	Candidates int
}

func (e *KeyMismatchError) Error() string {
	keys := "the private key matches"
	if e.Keys > 1 {
		keys = fmt.Sprintf("none of the %d private keys matches", e.Keys)
	}
	return fmt.Sprintf("%s none of the %d input certificates", keys, e.Candidates)
}

// Is makes errors.Is(err, ErrKeyMismatch) true.
func (e *KeyMismatchError) Is(target error) bool { return target == ErrKeyMismatch }

// NoPathError explains why no chain was built: the last certificate
// reached, what was searched for its issuer, and why complete paths were
// refused.
type NoPathError struct {
	// Leaf is the end-entity certificate the search started from.
	Leaf *x509.Certificate
	// Last is the top of the longest path reached that could not go on;
	// Leaf when nothing above it was found.
	Last *x509.Certificate
	// LeafOrigin and LastOrigin say where Leaf and Last came from.
	LeafOrigin, LastOrigin Origin
	// Depth is how many certificates that longest path held (1: the leaf).
	Depth int
	// Searched names what was searched for Last's issuer: "inputs (N
	// certificates)", "pool (N certificates)", "trust stores (...)", "AIA URL: result".
	Searched []string
	// Impostors have the name Last's issuer should have, but their keys
	// do not verify its signature.
	Impostors []*x509.Certificate
	// ImpostorOrigins says where each of Impostors came from, in the same
	// order.
	ImpostorOrigins []Origin
	// Loop is set when the only ways up led back into the path.
	Loop bool
	// Rejected are the complete paths crypto/x509 refused.
	Rejected []Rejection
	// Truncated is set when the search stopped at its depth or work bound.
	Truncated bool
	// Fetched lists the AIA fetches made.
	Fetched []AIAResult
}

func (e *NoPathError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no valid chain for %s", Describe(e.Leaf))
	if len(e.Rejected) > 0 {
		r := e.Rejected[0]
		fmt.Fprintf(&b, ": the path to %s was refused: %s", Describe(r.Path.Root()), r.Reason)
		if n := len(e.Rejected) - 1; n > 0 {
			fmt.Fprintf(&b, " (and %d more refused)", n)
		}
		return b.String()
	}
	if e.Last == e.Leaf || e.Last == nil {
		b.WriteString(": stopped at the leaf")
	} else {
		fmt.Fprintf(&b, ": stopped at %s", Describe(e.Last))
	}
	if e.Last != nil {
		fmt.Fprintf(&b, ", whose issuer %q", e.Last.Issuer.String())
	}
	switch {
	case e.Loop:
		b.WriteString(" only leads back into the path (a loop)")
	case len(e.Impostors) > 0:
		fmt.Fprintf(&b, " is only matched by %d certificate(s) whose key does not verify the signature", len(e.Impostors))
	default:
		b.WriteString(" was not found")
	}
	if len(e.Searched) > 0 {
		fmt.Fprintf(&b, "; searched %s", strings.Join(e.Searched, ", "))
	}
	if e.Truncated {
		b.WriteString("; the search hit its depth or work limit")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNoPath) true.
func (e *NoPathError) Is(target error) bool { return target == ErrNoPath }

// Describe names a certificate in messages: its subject's common name (or
// whole subject) and the start of its SHA-256 fingerprint.
func Describe(c *x509.Certificate) string {
	if c == nil {
		return "(none)"
	}
	return fmt.Sprintf("%q [%s]", SubjectName(c), Fingerprint(c)[:12])
}

// Fingerprint returns the SHA-256 of the certificate's DER in lower-case hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}
