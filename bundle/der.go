package bundle

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"software.sslmate.com/src/go-pkcs12"
)

// derKind is what the first elements of a DER SEQUENCE say it is.
type derKind int

const (
	derUnknown derKind = iota
	derCertificate
	derPKCS12
	derPKCS7
	derPrivateKey
	derEncryptedKey
)

// sniffDER looks at the outer SEQUENCE's first elements, without parsing
// the whole structure, to tell which reader to use.
func sniffDER(data []byte) derKind {
	s := cryptobyte.String(data)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return derUnknown
	}
	switch {
	case seq.PeekASN1Tag(cbasn1.INTEGER):
		var v int
		if !seq.ReadASN1Integer(&v) {
			return derUnknown
		}
		if v == 3 {
			return derPKCS12
		}
		return derPrivateKey // PKCS#1 and PKCS#8 (0, 1) and SEC1 (1)
	case seq.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER):
		return derPKCS7
	case seq.PeekASN1Tag(cbasn1.SEQUENCE):
		// A certificate is SEQUENCE{tbs, algorithm, signature}; an
		// encrypted PKCS#8 key is SEQUENCE{algorithm, OCTET STRING}.
		seq.SkipASN1(cbasn1.SEQUENCE)
		if seq.PeekASN1Tag(cbasn1.OCTET_STRING) {
			return derEncryptedKey
		}
		return derCertificate
	}
	return derUnknown
}

func (r *reader) readDER(data []byte) error {
	if data[0] != 0x30 {
		return ErrUnrecognized
	}
	switch sniffDER(data) {
	case derCertificate:
		r.out.Format = FormatDER
		return r.readDERCertificates(data)
	case derPKCS12:
		r.out.Format = FormatPKCS12
		return r.readPKCS12(data)
	case derPKCS7:
		r.out.Format = FormatPKCS7
		return r.readPKCS7(data)
	case derPrivateKey:
		r.out.Format = FormatDER
		key, err := parsePrivateKeyDER(data)
		if err != nil {
			return err
		}
		return r.addKey(key)
	case derEncryptedKey:
		r.out.Format = FormatDER
		return r.readEncryptedKey(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: data})
	}
	// BER (indefinite lengths) is common in Windows .p7b exports. A BER
	// structure too costly to convert is refused as such, not as unknown.
	if err := checkBER(data); errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooManyElements) {
		return err
	}
	if err := r.readPKCS7(data); err == nil {
		r.out.Format = FormatPKCS7
		return nil
	}
	return ErrUnrecognized
}

// readDERCertificates reads one DER certificate, or several concatenated.
// Bytes after the last certificate that are not another certificate are an
// error, not silently dropped.
func (r *reader) readDERCertificates(data []byte) error {
	s := cryptobyte.String(data)
	for n := 1; !s.Empty(); n++ {
		var raw cryptobyte.String
		if !s.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return fmt.Errorf("DER certificate followed by %d unexpected trailing bytes", len(s))
		}
		cert, err := x509.ParseCertificate(raw)
		if err != nil {
			if n > 1 {
				return fmt.Errorf("DER certificate followed by %d bytes that are not a certificate", len(raw)+len(s))
			}
			return cleanX509Error(err)
		}
		r.addCerts(cert)
	}
	return nil
}

// readPKCS12 decodes a PFX with go-pkcs12, trying the empty password first
// and asking for one only when that fails. Files without a key are read
// with the trust-store decoder.
func (r *reader) readPKCS12(data []byte) (err error) {
	for _, cost := range pfxCosts(data) {
		if err := r.spendIterations(cost); err != nil {
			return err
		}
	}
	defer recoverParse("PKCS#12 file", &err)
	password := ""
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if isPKCS12PasswordError(err) {
		pw, perr := r.getPassword()
		if perr != nil {
			return passwordError("PKCS#12 file", perr)
		}
		password = string(pw)
		key, leaf, cas, err = pkcs12.DecodeChain(data, password)
		if isPKCS12PasswordError(err) {
			return ErrWrongPassword
		}
	}
	if err != nil {
		return r.readPKCS12TrustStore(data, password, err)
	}
	r.addCerts(leaf)
	r.addCerts(cas...)
	return r.addKey(key)
}

// readPKCS12TrustStore reads a certificate-only PFX after DecodeChain failed
// with chainErr. The password is known to be right by then: DecodeChain
// checks the MAC and decrypts every bag before it looks for the key.
func (r *reader) readPKCS12TrustStore(data []byte, password string, chainErr error) error {
	certs, err := pkcs12.DecodeTrustStore(data, password)
	if err == nil {
		r.addCerts(certs...)
		return nil
	}
	if strings.HasSuffix(chainErr.Error(), "private key missing") {
		return ErrCertOnlyPFX
	}
	return fmt.Errorf("PKCS#12: %s", strings.TrimPrefix(chainErr.Error(), "pkcs12: "))
}

func isPKCS12PasswordError(err error) bool {
	return errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption)
}

// parsePrivateKeyDER reads PKCS#8 (RSA, ECDSA, Ed25519), PKCS#1 and SEC1.
func parsePrivateKeyDER(der []byte) (crypto.PrivateKey, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("malformed or unsupported private key (tried PKCS#8, PKCS#1, SEC1)")
}
