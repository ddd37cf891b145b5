package bundle

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"software.sslmate.com/src/go-pkcs12"
)

// PFXProfile selects the algorithms of a written PKCS#12 file.
type PFXProfile string

// PFX profiles.
const (
	// PFXModern is AES-256-CBC with PBKDF2-HMAC-SHA-256 and an HMAC-SHA-256
	// MAC, as OpenSSL 3 writes by default (read by OpenSSL 1.1.1+, Java 12+,
	// Windows Server 2019+).
	PFXModern PFXProfile = "modern"
	// PFXLegacy is 3DES with a SHA-1 MAC (openssl pkcs12 -legacy -descert),
	// for Windows Server 2016, Java 8 and other old importers.
	PFXLegacy PFXProfile = "legacy"
)

// EncodePEM writes certificates as CERTIFICATE blocks, in order, then keys
// as PKCS#8 PRIVATE KEY blocks.
func EncodePEM(w io.Writer, certs []*x509.Certificate, keys []crypto.Signer) error {
	for _, c := range certs {
		if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := EncodeKeyPEM(w, k); err != nil {
			return err
		}
	}
	return nil
}

// EncodeKeyPEM writes one private key as a PKCS#8 PRIVATE KEY block.
func EncodeKeyPEM(w io.Writer, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding private key: %w", err)
	}
	return pem.Encode(w, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// EncodePFX returns a PKCS#12 file holding key, its certificate leaf and the
// other certificates. With a nil key it writes a certificate-only trust
// store (each certificate marked trusted, as Java keytool expects).
func EncodePFX(key crypto.Signer, leaf *x509.Certificate, others []*x509.Certificate, password string, profile PFXProfile) ([]byte, error) {
	enc, err := pfxEncoder(profile)
	if err != nil {
		return nil, err
	}
	if key == nil {
		all := others
		if leaf != nil {
			all = append([]*x509.Certificate{leaf}, others...)
		}
		if len(all) == 0 {
			return nil, errors.New("nothing to write: no certificate")
		}
		return enc.EncodeTrustStore(all, password)
	}
	if leaf == nil {
		return nil, errors.New("a PKCS#12 file with a key needs the key's certificate")
	}
	return enc.Encode(key, leaf, others, password)
}

func pfxEncoder(p PFXProfile) (*pkcs12.Encoder, error) {
	switch p {
	case PFXModern, "":
		return pkcs12.Modern2023, nil
	case PFXLegacy:
		return pkcs12.LegacyDES, nil
	}
	return nil, fmt.Errorf("unknown PFX profile %q (want modern or legacy)", p)
}

// KeyMatches reports whether key is the private key of cert's public key.
// Keys are compared as public keys, never by name.
func KeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// FindKey returns the first key in keys that matches cert, or nil.
func FindKey(cert *x509.Certificate, keys []crypto.Signer) crypto.Signer {
	for _, k := range keys {
		if KeyMatches(cert, k) {
			return k
		}
	}
	return nil
}
