package verify

import (
	"bytes"
	"crypto/x509"
	"errors"
)

// verdict is the outcome of one signature check.
type verdict uint8

const (
	sigBad      verdict = iota + 1
	sigGood             // the key verifies the signature
	sigInsecure         // crypto/x509 refuses the hash (MD5, MD2) without checking
)

// sigPair is a (signer, signed) pair of certificates.
type sigPair struct{ parent, child *x509.Certificate }

// signatures checks each (parent, child) pair once and counts the checks,
// which are what a crafted pile of certificates sharing one name makes
// expensive.
type signatures struct {
	verdicts map[sigPair]verdict
	checks   int // signature checks done
}

func newSignatures() *signatures { return &signatures{verdicts: map[sigPair]verdict{}} }

// known reports whether the pair was checked already.
func (s *signatures) known(parent, child *x509.Certificate) bool {
	_, ok := s.verdicts[sigPair{parent, child}]
	return ok
}

// signs reports whether parent's key signed child. Signatures whose hash
// crypto/x509 refuses to check at all (MD5, MD2) are matched by name and
// key identifier instead, so that the path is found and the weak signature
// reported rather than the chain called incomplete.
func (s *signatures) signs(parent, child *x509.Certificate) bool {
	if !bytes.Equal(parent.RawSubject, child.RawIssuer) {
		return false
	}
	switch s.verdict(parent, child) {
	case sigGood:
		return true
	case sigInsecure:
		return len(child.AuthorityKeyId) == 0 || bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId)
	}
	return false
}

// sameKey records for parent the verdict on child of like, which has the
// same public key: no check is needed.
func (s *signatures) sameKey(parent, like, child *x509.Certificate) {
	if v, ok := s.verdicts[sigPair{like, child}]; ok && !s.known(parent, child) {
		s.verdicts[sigPair{parent, child}] = v
	}
}

// selfSigned reports whether c is signed by its own key.
func (s *signatures) selfSigned(c *x509.Certificate) bool { return s.signs(c, c) }

func (s *signatures) verdict(parent, child *x509.Certificate) verdict {
	pair := sigPair{parent, child}
	if v, ok := s.verdicts[pair]; ok {
		return v
	}
	s.checks++
	v := sigBad
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	switch {
	case err == nil:
		v = sigGood
	case errors.As(err, &insecure),
		// crypto/x509 has no MD2 at all: it calls that unsupported.
		child.SignatureAlgorithm == x509.MD2WithRSA && errors.Is(err, x509.ErrUnsupportedAlgorithm):
		v = sigInsecure
	}
	s.verdicts[pair] = v
	return v
}
