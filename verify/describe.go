package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// CertName names a certificate as the findings' messages do: its common
// name, else its whole subject, in double quotes.
func CertName(c *x509.Certificate) string { return quotedName(c.Subject) }

// issuerName names c's issuer the way CertName names a subject.
func issuerName(c *x509.Certificate) string { return quotedName(c.Issuer) }

func quotedName(n pkix.Name) string {
	if n.CommonName != "" {
		return strconv.Quote(n.CommonName)
	}
	return strconv.Quote(n.String())
}

// leafNames lists the names a leaf is valid for.
func leafNames(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return "no name (it has no subject alternative names)"
	}
	const most = 5
	if len(names) > most {
		return strings.Join(names[:most], ", ") + " and " + itoa(len(names)-most) + " more"
	}
	return strings.Join(names, ", ")
}

func joinList(items []string) string { return strings.Join(items, ", ") }

func itoa(n int) string { return strconv.Itoa(n) }

// day formats a certificate date.
func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

// inDays says how far away t is from now, in whole days.
func inDays(now, t time.Time) string {
	d := int(math.Floor(t.Sub(now).Hours() / 24))
	switch d {
	case 0:
		return "in less than a day"
	case 1:
		return "in 1 day"
	}
	return "in " + itoa(d) + " days"
}

// keyDescription names a public key's algorithm and size.
func keyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d bits", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// rsaBits is the size of an RSA key, 0 for other keys.
func rsaBits(pub crypto.PublicKey) int {
	if k, ok := pub.(*rsa.PublicKey); ok {
		return k.N.BitLen()
	}
	return 0
}

// trimX509 drops crypto/x509's "x509: " prefix from an error message.
func trimX509(msg string) string { return strings.TrimPrefix(msg, "x509: ") }

func tlsVersionName(v uint16) string { return tls.VersionName(v) }

func cipherSuiteName(id uint16) string { return tls.CipherSuiteName(id) }
