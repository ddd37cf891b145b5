package serve

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"strconv"
)

// versionName is the protocol as nginx's $ssl_protocol writes it:
// "TLSv1.2", "TLSv1.3". It is used in access log lines.
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}

// GroupName names a key exchange group the way GRADING.md does:
// "X25519MLKEM768", "X25519", "P-256". Zero (RSA key exchange) is "".
func GroupName(id tls.CurveID) string {
	switch id {
	case 0:
		return ""
	case tls.CurveP256:
		return "P-256"
	case tls.CurveP384:
		return "P-384"
	case tls.CurveP521:
		return "P-521"
	}
	return id.String()
}

// KeyName describes a public key: "RSA 2048", "ECDSA P-256", "Ed25519".
func KeyName(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA " + strconv.Itoa(k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return "unknown"
}

// role names a certificate's place in the chain served.
func role(i int, c *x509.Certificate) string {
	switch {
	case i == 0:
		return "leaf"
	case isSelfSigned(c):
		return "root"
	}
	return "intermediate"
}

func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawSubject) == string(c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}
