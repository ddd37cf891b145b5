package bundle

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/smallstep/pkcs7"
	"go.step.sm/crypto/pemutil"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	pemBegin = []byte("-----BEGIN ")
	pemEnd   = []byte("-----END ")
)

// looksLikePEM reports whether data is PEM text rather than a DER
// structure: it holds a BEGIN line and its start is text. DER always has
// control bytes (tags and lengths) in its first bytes; text never has.
func looksLikePEM(data []byte) bool {
	return bytes.Contains(data, pemBegin) && !isBinary(data)
}

// isBinary reports whether the first bytes of data hold control bytes
// that never appear in text (tab, line ends and escape excepted).
func isBinary(data []byte) bool {
	head := data[:min(len(data), 512)]
	for _, b := range head {
		if b < 0x09 || (b >= 0x0e && b < 0x20 && b != 0x1b) || b == 0x7f {
			return true
		}
	}
	return false
}

// utf16ToUTF8 converts UTF-16 text with a byte order mark (as Windows
// editors save "Unicode" files) to UTF-8, and drops a UTF-8 byte order
// mark. Other data is returned unchanged.
func utf16ToUTF8(data []byte) []byte {
	if bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}) {
		return data[3:]
	}
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		order = binary.BigEndian
	default:
		return data
	}
	units := make([]uint16, 0, len(data)/2)
	for i := 2; i+1 < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	out := make([]byte, 0, len(units))
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out
}

// decodeBareBase64 decodes data that is nothing but base64 (line breaks
// allowed) of a DER structure, as key vaults and some web forms export
// certificates and PFX files.
func decodeBareBase64(data []byte) ([]byte, bool) {
	compact := bytes.Join(bytes.Fields(data), nil)
	der, err := base64.StdEncoding.DecodeString(string(compact))
	if err != nil || len(der) == 0 || der[0] != 0x30 {
		return nil, false
	}
	return der, true
}

// readPEM walks every PEM block in order. Text between blocks is ignored, as
// CAs and `openssl x509 -text` put it there; a block that starts but cannot
// be decoded (truncated, bad base64, mismatched END line) is an error naming
// its line, never silently skipped.
//
// Line numbers are counted on from the previous block, so that reading
// stays linear in the size of the input however many blocks it holds.
func (r *reader) readPEM(data []byte) error {
	pos, line, counted := 0, 1, 0
	for n := 1; ; n++ {
		idx := bytes.Index(data[pos:], pemBegin)
		if idx < 0 {
			return nil
		}
		start := pos + idx
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		end, err := pemBlockEnd(data, start)
		if err != nil {
			return fmt.Errorf("PEM block at line %d %w", line, err)
		}
		block, _ := pem.Decode(data[start:end])
		if block == nil {
			return fmt.Errorf("PEM block at line %d is damaged (bad base64, bad header or END line not matching BEGIN)", line)
		}
		if err := r.readPEMBlock(block); err != nil {
			return fmt.Errorf("PEM block %d (%s, line %d): %w", n, block.Type, line, err)
		}
		pos = end
	}
}

// pemBlockEnd returns the offset just past the END line of the block that
// begins at start.
func pemBlockEnd(data []byte, start int) (int, error) {
	body := start + len(pemBegin)
	endIdx := bytes.Index(data[body:], pemEnd)
	if endIdx < 0 || bytes.Contains(data[body:body+endIdx], pemBegin) {
		return 0, errors.New("is truncated: it has no END line")
	}
	end := body + endIdx
	if nl := bytes.IndexByte(data[end:], '\n'); nl >= 0 {
		return end + nl + 1, nil
	}
	return len(data), nil
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
		before := len(r.out.Certs)
		err := r.readPKCS7(block.Bytes)
		r.pkcs7Certs += len(r.out.Certs) - before
		return err
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

// pemFormat is the format of a PEM input: PKCS#7 when every certificate
// came from PKCS7 blocks and there is no key (a .p7b file in PEM), else PEM.
func (r *reader) pemFormat() Format {
	if r.pkcs7Certs > 0 && r.pkcs7Certs == len(r.out.Certs) && len(r.out.Keys) == 0 {
		return FormatPKCS7
	}
	return FormatPEM
}

// DescribeSkipped summarises skipped PEM block types in one short phrase:
// each type once, in order of first appearance, with its count when it
// occurs more than once ("CERTIFICATE REQUEST, 3 X509 CRL blocks"), and
// after the first few types only how many blocks of how many other types.
func DescribeSkipped(types []string) string {
	const listed = 3
	var order []string
	count := map[string]int{}
	for _, t := range types {
		if count[t] == 0 {
			order = append(order, t)
		}
		count[t]++
	}
	var parts []string
	for _, t := range order[:min(len(order), listed)] {
		if count[t] == 1 {
			parts = append(parts, t)
		} else {
			parts = append(parts, fmt.Sprintf("%d %s blocks", count[t], t))
		}
	}
	if rest := order[min(len(order), listed):]; len(rest) > 0 {
		blocks := 0
		for _, t := range rest {
			blocks += count[t]
		}
		parts = append(parts, fmt.Sprintf("%s of %s", plural(blocks, "more block"), plural(len(rest), "other type")))
	}
	return strings.Join(parts, ", ")
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

func (r *reader) readPKCS7(der []byte) (err error) {
	if err := checkBER(der); err != nil {
		return err
	}
	defer recoverParse("PKCS#7", &err)
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return fmt.Errorf("malformed PKCS#7: %v", strings.TrimPrefix(err.Error(), "pkcs7: "))
	}
	if len(p7.Certificates) == 0 {
		return errors.New("PKCS#7 holds no certificates")
	}
	r.addCerts(p7.Certificates...)
	return nil
}

// readEncryptedKey decrypts an encrypted PKCS#8 (PBES2) or legacy
// (Proc-Type) encrypted PEM key with the input's password.
func (r *reader) readEncryptedKey(block *pem.Block) error {
	if block.Headers["Proc-Type"] == "" { // PBES2; the legacy scheme has no iterations
		if err := r.spendIterations(kdfCost{"private key", encryptedKeyIterations(block.Bytes)}); err != nil {
			return err
		}
	}
	pw, err := r.getPassword()
	if err != nil {
		return passwordError("private key", err)
	}
	der, err := decryptKeyBlock(block, pw)
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

// decryptKeyBlock calls pemutil, which panics on some damaged inputs (an
// IV or ciphertext that is not a whole number of cipher blocks).
func decryptKeyBlock(block *pem.Block, pw []byte) (der []byte, err error) {
	defer recoverParse("encrypted private key", &err)
	return pemutil.DecryptPEMBlock(block, pw)
}

// cleanX509Error removes the "x509: " prefix so messages read as one sentence.
func cleanX509Error(err error) error {
	return fmt.Errorf("invalid certificate: %s", trimX509(err))
}
