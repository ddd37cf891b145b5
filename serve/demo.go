package serve

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Demo is a chain made in memory for trying the server without
// certificates of one's own: an ECDSA P-256 root, an intermediate and a
// leaf for localhost, 127.0.0.1 and ::1. Only a client told to trust Root
// accepts it.
type Demo struct {
	// Certificate is what the server presents: leaf and intermediate.
	Certificate *Certificate
	// Root is the trust anchor a client needs (curl --cacert).
	Root *x509.Certificate
}

// DemoNames are the names the demo leaf is valid for.
var DemoNames = []string{"localhost", "127.0.0.1", "::1"}

// NewDemo makes a fresh demo chain valid from an hour before now: the
// leaf for 90 days, the CAs for a year. Its keys exist only in memory.
func NewDemo(now time.Time) (*Demo, error) {
	now = now.Truncate(time.Second)
	root, rootKey, err := demoCert(&x509.Certificate{
		Subject:  pkix.Name{CommonName: "chaintool demo root", Organization: []string{"chaintool demo"}},
		NotAfter: now.AddDate(1, 0, 0), IsCA: true, MaxPathLen: 1,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, now, nil, nil)
	if err != nil {
		return nil, err
	}
	inter, interKey, err := demoCert(&x509.Certificate{
		Subject:  pkix.Name{CommonName: "chaintool demo intermediate", Organization: []string{"chaintool demo"}},
		NotAfter: now.AddDate(1, 0, 0), IsCA: true, MaxPathLen: 0, MaxPathLenZero: true,
		KeyUsage:    x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, now, root, rootKey)
	if err != nil {
		return nil, err
	}
	leaf, leafKey, err := demoCert(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		NotAfter:    now.AddDate(0, 0, 90),
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, now, inter, interKey)
	if err != nil {
		return nil, err
	}
	return &Demo{
		Certificate: &Certificate{Chain: []*x509.Certificate{leaf, inter}, Key: leafKey},
		Root:        root,
	}, nil
}

// demoCert signs tmpl with parent's key, or self-signs when parent is nil.
func demoCert(tmpl *x509.Certificate, now time.Time, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("making demo key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("making demo serial: %w", err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.BasicConstraintsValid = true
	if tmpl.IsCA {
		pub, _ := x509.MarshalPKIXPublicKey(key.Public())
		sum := sha256.Sum256(pub)
		tmpl.SubjectKeyId = sum[:20]
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("making demo certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing demo certificate: %w", err)
	}
	return cert, key, nil
}
