package bundle

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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
