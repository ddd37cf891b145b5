// Command genpool writes the input of bench/bundle.sh: a root, a leaf
// issued through two intermediates, and a pool of N unrelated CA
// certificates with the two real intermediates hidden in its middle.
//
//	go run ./bench/genpool -n 10000 -o /tmp/pool10k
//
// writes root.pem, leaf.pem, leaf.key and pool.pem into the folder.
package main

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

func main() {
	n := flag.Int("n", 10000, "number of unrelated CA certificates in the pool")
	out := flag.String("o", ".", "output folder")
	flag.Parse()
	if err := run(*n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genpool:", err)
		os.Exit(1)
	}
}

var (
	now    = time.Now().UTC().Truncate(time.Hour)
	serial int64
)

// ca is a certificate with its key, able to issue.
type ca struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func run(n int, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	root := issue(caTemplate("Bench Root CA", "Bench Real PKI"), newECKey(), nil)
	inter1 := issue(caTemplate("Bench Intermediate 1", "Bench Real PKI"), newECKey(), root)
	inter2 := issue(caTemplate("Bench Intermediate 2", "Bench Real PKI"), newECKey(), inter1)
	leafKey := newECKey()
	leaf := issue(leafTemplate("bench.example.com"), leafKey, inter2)
	if err := writePEM(filepath.Join(out, "root.pem"), root.cert); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(out, "leaf.pem"), leaf.cert); err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "leaf.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writePool(filepath.Join(out, "pool.pem"), n, inter1, inter2)
}

// writePool writes n noise CAs, issued by a few noise roots to subjects
// with RSA and ECDSA keys, and the two real intermediates at n/2.
func writePool(path string, n int, real ...*ca) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var issuers []*ca
	for i := range 8 {
		issuers = append(issuers, issue(caTemplate(fmt.Sprintf("Noise Root %d", i), "Bench Noise"), newECKey(), nil))
	}
	subjectKeys := []crypto.Signer{newECKey(), newECKey(), newRSAKey(), newRSAKey()}
	for i := range n {
		if i == n/2 {
			for _, r := range real {
				if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: r.cert.Raw}); err != nil {
					return err
				}
			}
		}
		tmpl := caTemplate(fmt.Sprintf("Noise CA %06d", i), fmt.Sprintf("Noise Org %d", i%97))
		c := issue(tmpl, subjectKeys[i%len(subjectKeys)], issuers[i%len(issuers)])
		if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func caTemplate(cn, org string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{org}},
		NotBefore:             now.AddDate(-1, 0, 0),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

func leafTemplate(name string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		DNSNames:              []string{name},
		NotBefore:             now.AddDate(0, 0, -1),
		NotAfter:              now.AddDate(0, 0, 90),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
}

// issue signs tmpl for key with parent, or self-signs when parent is nil.
func issue(tmpl *x509.Certificate, key crypto.Signer, parent *ca) *ca {
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	parentCert, signer := tmpl, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &ca{cert: cert, key: key}
}

func newECKey() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func newRSAKey() crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func writePEM(path string, c *x509.Certificate) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
}
