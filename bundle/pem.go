package bundle

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
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
// (Proc-Type) encrypted PEM key with the input's password. An encryption
// scheme it cannot decrypt, or parameters or data that do not fit the
// scheme, are refused before the password is asked for.
func (r *reader) readEncryptedKey(block *pem.Block) error {
	decrypt := func(pw []byte) ([]byte, error) { return decryptLegacyPEM(block, pw) }
	if block.Headers["Proc-Type"] != "" {
		if err := checkLegacyPEM(block); err != nil {
			return err
		}
	} else {
		p, err := parsePBES2(block.Bytes)
		if err != nil {
			return err
		}
		if err := r.spendIterations(kdfCost{"private key", p.iterations}); err != nil {
			return err
		}
		decrypt = p.decrypt
	}
	pw, err := r.getPassword()
	if err != nil {
		return passwordError("private key", err)
	}
	der, err := decrypt(pw)
	if err != nil {
		return err
	}
	key, err := parsePrivateKeyDER(der)
	if err != nil {
		// A wrong password that passes the padding check yields noise.
		return ErrWrongPassword
	}
	return r.addKey(key)
}

// Encrypted PKCS#8 keys (PBES2, RFC 8018) are decrypted here rather than by
// pemutil, which knows only the hmacWithSHA1 and hmacWithSHA256 PRFs and
// derives the key with SHA-1 whatever PRF the file names: a key OpenSSL
// wrote with -v2prf hmacWithSHA512 came out as a "wrong password".

// pbkdf2PRFs are the PBKDF2 PRFs OpenSSL offers (-v2prf) that Go has, by
// OID: HMAC with MD5, SHA-1 (the default), SHA-224, SHA-256, SHA-384,
// SHA-512, SHA-512/224 and SHA-512/256.
var pbkdf2PRFs = map[string]func() hash.Hash{
	"1.2.840.113549.2.6": md5.New, "1.2.840.113549.2.7": sha1.New,
	"1.2.840.113549.2.8": sha256.New224, "1.2.840.113549.2.9": sha256.New,
	"1.2.840.113549.2.10": sha512.New384, "1.2.840.113549.2.11": sha512.New,
	"1.2.840.113549.2.12": sha512.New512_224, "1.2.840.113549.2.13": sha512.New512_256,
}

// pbes2Ciphers are the PBES2 ciphers (all CBC) Go has, by OID: AES-128,
// AES-192, AES-256, 3DES and DES, with their key and block sizes.
var pbes2Ciphers = map[string]struct {
	keySize, blockSize int
	newCipher          func([]byte) (cipher.Block, error)
}{
	"2.16.840.1.101.3.4.1.2":  {16, aes.BlockSize, aes.NewCipher},
	"2.16.840.1.101.3.4.1.22": {24, aes.BlockSize, aes.NewCipher},
	"2.16.840.1.101.3.4.1.42": {32, aes.BlockSize, aes.NewCipher},
	"1.2.840.113549.3.7":      {24, des.BlockSize, des.NewTripleDESCipher},
	"1.3.14.3.2.7":            {8, des.BlockSize, des.NewCipher},
}

// pbes2 is an encrypted PKCS#8 key, read but not yet decrypted.
type pbes2 struct {
	salt       []byte
	iterations int64
	prf        func() hash.Hash
	keySize    int
	newCipher  func([]byte) (cipher.Block, error)
	iv         []byte
	ciphertext []byte
}

// decrypt derives the key from password and decrypts; parsePBES2 checked
// the IV and ciphertext sizes. A padding that is not PKCS#7's means a
// wrong password.
func (p *pbes2) decrypt(password []byte) ([]byte, error) {
	key, err := pbkdf2.Key(p.prf, string(password), p.salt, int(p.iterations), p.keySize)
	if err != nil {
		return nil, fmt.Errorf("cannot derive the key: %w", err)
	}
	block, err := p.newCipher(key)
	if err != nil {
		return nil, err
	}
	size := block.BlockSize()
	out := make([]byte, len(p.ciphertext))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(out, p.ciphertext)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > size || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, ErrWrongPassword
	}
	return out[:len(out)-pad], nil
}

// legacyPEMCiphers are the ciphers of legacy encrypted PEM (the DEK-Info
// header) that crypto/x509 decrypts, with their block sizes.
var legacyPEMCiphers = map[string]int{
	"DES-CBC": des.BlockSize, "DES-EDE3-CBC": des.BlockSize,
	"AES-128-CBC": aes.BlockSize, "AES-192-CBC": aes.BlockSize, "AES-256-CBC": aes.BlockSize,
}

// checkLegacyPEM refuses a legacy encrypted PEM block whose cipher
// crypto/x509 cannot decrypt, or whose IV or data does not fit the cipher.
func checkLegacyPEM(block *pem.Block) error {
	mode, ivHex, ok := strings.Cut(block.Headers["DEK-Info"], ",")
	if !ok {
		return fmt.Errorf("%w (no DEK-Info header)", errMalformedEncryptedKey)
	}
	blockSize, ok := legacyPEMCiphers[mode]
	if !ok {
		return unsupportedError("legacy PEM encryption " + mode)
	}
	iv, err := hex.DecodeString(ivHex)
	if err != nil {
		return fmt.Errorf("%w (IV is not hexadecimal)", errMalformedEncryptedKey)
	}
	return checkCBC(iv, len(block.Bytes), blockSize)
}

// decryptLegacyPEM decrypts a Proc-Type encrypted PEM block, which
// checkLegacyPEM has checked, with pemutil (crypto/x509 underneath). A
// panic there, as damaged IVs and data once caused, stays an error.
func decryptLegacyPEM(block *pem.Block, pw []byte) (der []byte, err error) {
	defer recoverParse("encrypted private key", &err)
	der, err = pemutil.DecryptPEMBlock(block, pw)
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, ErrWrongPassword
	}
	if err != nil {
		return nil, fmt.Errorf("cannot decrypt private key: %v", err)
	}
	return der, nil
}

// cleanX509Error removes the "x509: " prefix so messages read as one sentence.
func cleanX509Error(err error) error {
	return fmt.Errorf("invalid certificate: %s", trimX509(err))
}
