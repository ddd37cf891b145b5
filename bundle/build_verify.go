package bundle

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// complete checks a path that reached an anchor with crypto/x509.
func (b *builder) complete(path []*node) bool {
	key := pathKey(path)
	if ok, done := b.checked[key]; done {
		return ok
	}
	b.work += len(path)
	kind, store := anchorKind(path[len(path)-1])
	err := b.verifyExact(path)
	b.checked[key] = err == nil
	if err != nil {
		b.rejected = append(b.rejected, Rejection{Path: b.toPath(path, kind, store), Reason: explainVerify(err)})
		b.refused = append(b.refused, path)
		return false
	}
	b.valid = append(b.valid, &candidate{path: path, kind: kind, store: store})
	return true
}

func pathKey(path []*node) string {
	var sb strings.Builder
	for _, n := range path {
		fmt.Fprintf(&sb, "%d/%d ", n.id.from, n.id.idx)
	}
	return sb.String()
}

func anchorKind(n *node) (AnchorKind, string) {
	switch {
	case n.anchor == nil:
		return AnchorInputOnly, ""
	case n.anchor.Source == RootsSystem || n.anchor.Source == RootsMozilla:
		return AnchorStore, n.anchor.Source
	}
	return AnchorExplicit, n.anchor.Source
}

// verifyExact asks crypto/x509 to verify the leaf with exactly this
// anchor and these intermediates, and accepts only this very path.
func (b *builder) verifyExact(path []*node) error {
	last := path[len(path)-1]
	roots := x509.NewCertPool()
	if last.anchor != nil && last.anchor.Constraint != nil {
		roots.AddCertWithConstraint(last.cert, last.anchor.Constraint)
	} else {
		roots.AddCert(last.cert)
	}
	inters := x509.NewCertPool()
	for i := 1; i < len(path)-1; i++ {
		inters.AddCert(path[i].cert)
	}
	chains, err := path[0].cert.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inters, CurrentTime: b.at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return err
	}
	for _, ch := range chains {
		if samePath(ch, path) {
			return nil
		}
	}
	return errors.New("crypto/x509 accepts the leaf only through another path")
}

func samePath(chain []*x509.Certificate, path []*node) bool {
	if len(chain) != len(path) {
		return false
	}
	for i := range chain {
		if !chain[i].Equal(path[i].cert) {
			return false
		}
	}
	return true
}

// explainVerify turns crypto/x509's verdict into a sentence naming the
// certificate at fault.
func explainVerify(err error) string {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Cert != nil {
		return fmt.Sprintf("%s: %s", Describe(inv.Cert), trimX509(err))
	}
	return trimX509(err)
}

func (b *builder) toPath(path []*node, kind AnchorKind, store string) Path {
	links := make([]Link, len(path))
	for i, n := range path {
		links[i] = Link{Cert: n.cert, Origin: n.origin}
	}
	return Path{Links: links, Anchor: kind, Store: store}
}
