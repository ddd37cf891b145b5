package bundle

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
	"go.step.sm/crypto/pemutil"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var pemBegin = []byte("-----BEGIN ")

// looksLikePEM reports whether data is PEM rather than DER: it holds a BEGIN
// line and does not start like a DER structure.
func looksLikePEM(data []byte) bool {
	return bytes.Contains(data, pemBegin) && !(data[0] == 0x30 && isDERSequence(data))
}

func isDERSequence(data []byte) bool {
	s := cryptobyte.String(data)
	var seq cryptobyte.String
	return s.ReadASN1(&seq, cbasn1.SEQUENCE)
}

// readPEM walks every PEM block in order. Text between blocks is ignored, as
// CAs and `openssl x509 -text` put it there; a block that starts but cannot
// be decoded (truncated, bad base64) is an error naming its line.
func (r *reader) readPEM(data []byte) error {
	rest := data
	for n := 1; ; n++ {
		idx := bytes.Index(rest, pemBegin)
		if idx < 0 {
			return nil
		}
		block, after := pem.Decode(rest[idx:])
		if block == nil {
			line := 1 + bytes.Count(data[:len(data)-len(rest)+idx], []byte("\n"))
			return fmt.Errorf("PEM block at line %d is truncated or its base64 is damaged", line)
		}
		if err := r.readPEMBlock(block); err != nil {
			return fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		rest = after
	}
}

func (r *reader) readPEMBlock(block *pem.Block) error {
	if block.Headers["Proc-Type"] == "4,ENCRYPTED" || block.Type == "ENCRYPTED PRIVATE KEY" {
		return r.readEncryptedKey(block)
	}
	switch block.Type {
	case "CERTIFICATE", "X509 CERTIFICATE", "X.509 CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return cleanX509Error(err)
		}
		r.addCerts(cert)
	case "TRUSTED CERTIFICATE":
		return r.readTrustedCertificate(block.Bytes)
	case "PKCS7", "CMS":
		return r.readPKCS7(block.Bytes)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		key, err := parsePrivateKeyDER(block.Bytes)
		if err != nil {
			return err
		}
		return r.addKey(key)
	default:
		r.out.Skipped = append(r.out.Skipped, block.Type)
	}
	return nil
}

// readTrustedCertificate reads OpenSSL's TRUSTED CERTIFICATE: a DER
// certificate followed by OpenSSL's trust settings, which are dropped.
func (r *reader) readTrustedCertificate(der []byte) error {
	s := cryptobyte.String(der)
	var raw cryptobyte.String
	if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return errors.New("malformed trusted certificate")
	}
	cert, err := x509.ParseCertificate(raw)
	if err != nil {
		return cleanX509Error(err)
	}
	r.addCerts(cert)
	return nil
}

func (r *reader) readPKCS7(der []byte) error {
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return fmt.Errorf("malformed PKCS#7: %v", trimPrefix(err.Error(), "pkcs7: "))
	}
	if len(p7.Certificates) == 0 {
		return errors.New("PKCS#7 holds no certificates")
	}
	r.addCerts(p7.Certificates...)
	return nil
}

// readEncryptedKey decrypts an encrypted PKCS#8 or legacy (Proc-Type)
// encrypted PEM key with the input's password.
func (r *reader) readEncryptedKey(block *pem.Block) error {
	pw, err := r.getPassword()
	if err != nil {
		return fmt.Errorf("private key is %w", err)
	}
	der, err := pemutil.DecryptPEMBlock(block, pw)
	if err != nil {
		if errors.Is(err, x509.IncorrectPasswordError) {
			return ErrWrongPassword
		}
		return fmt.Errorf("cannot decrypt private key: %v", err)
	}
	key, err := parsePrivateKeyDER(der)
	if err != nil {
		// A wrong password that passes the padding check yields noise.
		return ErrWrongPassword
	}
	return r.addKey(key)
}

func trimPrefix(s, prefix string) string {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}

// cleanX509Error removes the "x509: " prefix so messages read as one sentence.
func cleanX509Error(err error) error {
	return fmt.Errorf("invalid certificate: %s", trimPrefix(err.Error(), "x509: "))
}
