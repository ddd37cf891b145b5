package bundle

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"

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
// with the trust-store decoder. go-pkcs12 derives every key of the file
// anew on each decode, so each decode is charged to the input's
// iterations before it runs.
func (r *reader) readPKCS12(data []byte) (err error) {
	defer recoverParse("PKCS#12 file", &err)
	// Without a MAC a wrong password shows only as a decryption error, of
	// any wording, and go-pkcs12 reads such a file with the empty password
	// alone: with the real one, it gets a MAC computed here.
	_, _, noMAC := unsignedAuthSafe(data)
	c, err := r.tryEmptyPassword(data)
	if errors.Is(err, ErrTooManyIterations) {
		return err
	}
	password := ""
	if needsPassword(err, noMAC) {
		if data, password, err = r.withPassword(data, noMAC); err != nil {
			return err
		}
		c, err = decodeChain(data, password)
		if isPKCS12PasswordError(err) {
			return ErrWrongPassword
		}
		if needsPassword(err, noMAC) {
			return wrongPFXPassword(noMAC)
		}
	}
	if err != nil {
		if err := unsupportedPFX(err); err != nil {
			return err
		}
		return r.readPKCS12TrustStore(data, password, err)
	}
	r.addCerts(c.leaf)
	r.addCerts(c.cas...)
	return r.addKey(c.key)
}

// pfxChain is what go-pkcs12's DecodeChain returns.
type pfxChain struct {
	key  any
	leaf *x509.Certificate
	cas  []*x509.Certificate
}

func decodeChain(data []byte, password string) (pfxChain, error) {
	var c pfxChain
	var err error
	c.key, c.leaf, c.cas, err = pkcs12.DecodeChain(data, password)
	return c, err
}

// tryEmptyPassword decodes data with the empty password, once its MAC
// (twice: go-pkcs12 tries the empty password, then none) and every part
// are charged. A MAC that does not match stops go-pkcs12 before it
// decrypts any part, so then the parts are given back.
func (r *reader) tryEmptyPassword(data []byte) (pfxChain, error) {
	before := r.iterations
	mac, err := r.spendPFX(pfxCosts(data), true)
	if err != nil {
		return pfxChain{}, err
	}
	c, err := decodeChain(data, "")
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		r.iterations = before + mac
	}
	return c, err
}

// withPassword charges a second decode, then asks for the password and
// returns the data to decode with it: without a MAC, data with a PBMAC1
// MAC made with the password. The empty password, tried already, is
// wrong.
func (r *reader) withPassword(data []byte, noMAC bool) ([]byte, string, error) {
	costs := pfxCosts(data)
	if noMAC {
		// withPBMAC1 derives the MAC key once, go-pkcs12 once more.
		mac := kdfCost{pfxMAC, pbmac1Iterations}
		costs = append(costs, mac, mac)
	}
	if _, err := r.spendPFX(costs, false); err != nil {
		return nil, "", err
	}
	pw, err := r.getPassword()
	if err != nil {
		return nil, "", passwordError("PKCS#12 file", err)
	}
	if len(pw) == 0 {
		return nil, "", wrongPFXPassword(noMAC)
	}
	if noMAC {
		authSafe, content, _ := unsignedAuthSafe(data)
		data = withPBMAC1(authSafe, content, string(pw))
	}
	return data, string(pw), nil
}

// spendPFX charges one go-pkcs12 decode of a PFX with the iterations
// pfxCosts found, the MAC twice with the empty password, and returns how
// many of them the MAC took.
func (r *reader) spendPFX(costs []kdfCost, emptyPassword bool) (mac int64, err error) {
	for _, c := range costs {
		times := 1
		if c.what == pfxMAC && emptyPassword {
			times = 2
		}
		for range times {
			if err := r.spendIterations(c); err != nil {
				return 0, err
			}
			if c.what == pfxMAC {
				mac += c.iterations
			}
		}
	}
	return mac, nil
}

// needsPassword reports whether a decode failed for want of the right
// password: the MAC or a padding says so, or, in a file without a MAC,
// anything but a missing part or a scheme go-pkcs12 does not implement.
func needsPassword(err error, noMAC bool) bool {
	var notImplemented pkcs12.NotImplementedError
	return isPKCS12PasswordError(err) || noMAC && err != nil && !isMissingPart(err) &&
		!errors.As(err, &notImplemented) && !errors.Is(unsupportedPFX(err), ErrUnsupportedPFXEncryption)
}

func wrongPFXPassword(noMAC bool) error {
	if noMAC {
		return fmt.Errorf("%w, or a damaged file (it has no MAC to tell which)", ErrWrongPassword)
	}
	return ErrWrongPassword
}

// isMissingPart reports whether go-pkcs12 decrypted a PFX but found no key
// or no certificate in it.
func isMissingPart(err error) bool {
	return strings.HasSuffix(err.Error(), "private key missing") || strings.HasSuffix(err.Error(), "certificate missing")
}

// ErrUnsupportedPFXEncryption means a PKCS#12 file encrypts its key or
// certificates with a scheme go-pkcs12 cannot decrypt (Camellia, ARIA,
// SM4, RC4, PBKDF2 with SHA-384...); it also matches
// ErrUnsupportedEncryption.
var ErrUnsupportedPFXEncryption = errors.New("unsupported PKCS#12 encryption")

// unsupportedPFXError is go-pkcs12's refusal of an encryption scheme in its
// own words, with the ciphers it names by OID named.
type unsupportedPFXError string

func (e unsupportedPFXError) Error() string { return string(e) }
func (e unsupportedPFXError) Is(target error) bool {
	return target == ErrUnsupportedPFXEncryption || target == ErrUnsupportedEncryption
}

// unsupportedPFX returns go-pkcs12's refusal of a password-based
// encryption scheme, a NotImplementedError naming "pbe" or "pbes2", as an
// unsupportedPFXError; nil for other errors. For a shrouded key go-pkcs12
// passes the refusal on as text only ("pkcs12: error decrypting PKCS#8
// shrouded key bag: pkcs12: pbes2 algorithm ... is not supported"), so
// then its last "pkcs12: " part is read.
func unsupportedPFX(err error) error {
	var notImplemented pkcs12.NotImplementedError
	msg := err.Error()
	if errors.As(err, &notImplemented) {
		msg = string(notImplemented)
	} else if i := strings.LastIndex(msg, "pkcs12: "); i >= 0 {
		msg = msg[i+len("pkcs12: "):]
	}
	if !strings.Contains(msg, "pbe") || !strings.Contains(msg, "supported") {
		return nil
	}
	words := strings.Fields(msg)
	for i, w := range words {
		if name, ok := cipherNames[w]; ok {
			words[i] = name
		}
	}
	return unsupportedPFXError("PKCS#12: " + strings.Join(words, " "))
}

// unsignedAuthSafe returns the authSafe ContentInfo of a PFX that has no
// MAC (`openssl pkcs12 -export -nomac`), and the content the MAC would
// cover; ok is false for a PFX with a MAC or one it cannot read.
func unsignedAuthSafe(der []byte) (authSafe, content []byte, ok bool) {
	s := cryptobyte.String(der)
	var pfx, raw, body cryptobyte.String
	if !s.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.SkipASN1(cbasn1.INTEGER) ||
		!pfx.ReadASN1Element(&raw, cbasn1.SEQUENCE) || !pfx.Empty() {
		return nil, nil, false
	}
	inner := raw
	if !inner.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	content, ok = dataContent(body)
	return raw, content, ok
}

// withPBMAC1 rebuilds a PFX that has no MAC with a PBMAC1 MAC (RFC 9579,
// PBKDF2 and HMAC-SHA256, one iteration) made with password, the one way
// go-pkcs12 decrypts such a file with a password other than the empty one.
// The MAC proves nothing: the file had none to check.
const pbmac1Iterations = 1

func withPBMAC1(authSafe, content []byte, password string) []byte {
	const keySize = 32
	salt := make([]byte, keySize)
	key, _ := pbkdf2.Key(sha256.New, password, salt, pbmac1Iterations, keySize)
	mac := hmac.New(sha256.New, key)
	mac.Write(content)
	hmacSHA256 := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidHMACWithSHA256)
			b.AddASN1NULL()
		})
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddBytes(authSafe)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // MacData
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // DigestInfo
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // PBMAC1
					b.AddASN1ObjectIdentifier(oidPBMAC1)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // PBKDF2
							b.AddASN1ObjectIdentifier(oidPBKDF2)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1OctetString(salt)
								b.AddASN1Int64(pbmac1Iterations)
								b.AddASN1Int64(keySize)
								hmacSHA256(b)
							})
						})
						hmacSHA256(b)
					})
				})
				b.AddASN1OctetString(mac.Sum(nil))
			})
			b.AddASN1OctetString(salt)
			b.AddASN1Int64(1)
		})
	})
	return b.BytesOrPanic()
}

// readPKCS12TrustStore reads a certificate-only PFX after DecodeChain failed
// with chainErr, charging the decode first. When chainErr is a missing
// key, the password is known to be right: DecodeChain checks the MAC and
// decrypts every bag before it looks for the key.
func (r *reader) readPKCS12TrustStore(data []byte, password string, chainErr error) error {
	if _, err := r.spendPFX(pfxCosts(data), password == ""); err != nil {
		return err
	}
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

// ErrUnsupportedEncryption means an encrypted private key uses a scheme
// chaintool cannot decrypt: PKCS#5 v1 or PKCS#12 password-based encryption
// (`openssl pkcs8 -v1`), a PBES2 cipher or PRF other than those OpenSSL
// writes by default and on request (AES-CBC, 3DES, DES; HMAC with SHA-1,
// SHA-2 or MD5), a legacy PEM cipher other than AES-CBC, 3DES and DES, or
// a PKCS#12 scheme go-pkcs12 cannot decrypt (ErrUnsupportedPFXEncryption).
var ErrUnsupportedEncryption = errors.New("unsupported key encryption")

// unsupportedError names what is not supported; it matches
// ErrUnsupportedEncryption.
type unsupportedError string

func (e unsupportedError) Error() string        { return string(e) + " is not supported" }
func (e unsupportedError) Is(target error) bool { return target == ErrUnsupportedEncryption }

var errMalformedEncryptedKey = errors.New("malformed encrypted private key")

var oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}

// parsePBES2 reads an EncryptedPrivateKeyInfo. A scheme other than PBES2
// with PBKDF2, or a PRF or cipher it cannot decrypt, is an
// ErrUnsupportedEncryption naming it; an IV or a ciphertext that does not
// fit the cipher is malformed. All is checked here, before any password.
//
//	EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }
//	PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme AlgorithmIdentifier }
func parsePBES2(der []byte) (*pbes2, error) {
	s := cryptobyte.String(der)
	var info, alg, params, kdf, enc cryptobyte.String
	var oid, kdfOID, encOID asn1.ObjectIdentifier
	p := &pbes2{}
	if !s.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !info.ReadASN1Bytes(&p.ciphertext, cbasn1.OCTET_STRING) {
		return nil, errMalformedEncryptedKey
	}
	if !oid.Equal(oidPBES2) {
		if name := pbes1Names[oid.String()]; name != "" {
			return nil, unsupportedError("PBES1 (" + name + ") encryption")
		}
		return nil, unsupportedError("key encryption " + oidName(oid))
	}
	if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !params.ReadASN1(&kdf, cbasn1.SEQUENCE) ||
		!params.ReadASN1(&enc, cbasn1.SEQUENCE) || !kdf.ReadASN1ObjectIdentifier(&kdfOID) ||
		!enc.ReadASN1ObjectIdentifier(&encOID) {
		return nil, errMalformedEncryptedKey
	}
	if !kdfOID.Equal(oidPBKDF2) {
		return nil, unsupportedError("PBES2 key derivation " + kdfOID.String())
	}
	c, ok := pbes2Ciphers[encOID.String()]
	if !ok {
		return nil, unsupportedError("PBES2 cipher " + oidName(encOID))
	}
	p.keySize, p.newCipher = c.keySize, c.newCipher
	if !enc.ReadASN1Bytes(&p.iv, cbasn1.OCTET_STRING) {
		return nil, errMalformedEncryptedKey
	}
	if err := checkCBC(p.iv, len(p.ciphertext), c.blockSize); err != nil {
		return nil, err
	}
	return p, p.readPBKDF2(kdf)
}

// checkCBC refuses an IV and a ciphertext that cannot be of a CBC cipher
// of blockSize.
func checkCBC(iv []byte, ciphertextLen, blockSize int) error {
	if len(iv) != blockSize {
		return fmt.Errorf("%w (IV of %d bytes, want %d)", errMalformedEncryptedKey, len(iv), blockSize)
	}
	if ciphertextLen == 0 || ciphertextLen%blockSize != 0 {
		return fmt.Errorf("%w (ciphertext is not a whole number of blocks)", errMalformedEncryptedKey)
	}
	return nil
}

// readPBKDF2 reads PBKDF2-params ::= SEQUENCE { salt OCTET STRING,
// iterationCount INTEGER, keyLength INTEGER OPTIONAL, prf
// AlgorithmIdentifier DEFAULT hmacWithSHA1 }.
func (p *pbes2) readPBKDF2(kdf cryptobyte.String) error {
	var params, prf cryptobyte.String
	if !kdf.ReadASN1(&params, cbasn1.SEQUENCE) || !params.ReadASN1Bytes(&p.salt, cbasn1.OCTET_STRING) {
		return errMalformedEncryptedKey
	}
	if p.iterations = readIterationCount(&params); p.iterations < 1 {
		return errMalformedEncryptedKey
	}
	if params.PeekASN1Tag(cbasn1.INTEGER) {
		var keyLength int
		if !params.ReadASN1Integer(&keyLength) || keyLength != p.keySize {
			return errMalformedEncryptedKey
		}
	}
	p.prf = sha1.New
	if params.ReadASN1(&prf, cbasn1.SEQUENCE) {
		var oid asn1.ObjectIdentifier
		if !prf.ReadASN1ObjectIdentifier(&oid) {
			return errMalformedEncryptedKey
		}
		if p.prf = pbkdf2PRFs[oid.String()]; p.prf == nil {
			return unsupportedError("PBKDF2 PRF " + oidName(oid))
		}
	}
	return nil
}

// pbes1Names are OpenSSL's names (`openssl pkcs8 -v1 NAME`) of the PKCS#5
// v1 and PKCS#12 password-based encryption schemes, by OID.
var pbes1Names = map[string]string{
	"1.2.840.113549.1.5.1": "PBE-MD2-DES", "1.2.840.113549.1.5.3": "PBE-MD5-DES",
	"1.2.840.113549.1.5.4": "PBE-MD2-RC2-64", "1.2.840.113549.1.5.6": "PBE-MD5-RC2-64",
	"1.2.840.113549.1.5.10": "PBE-SHA1-DES", "1.2.840.113549.1.5.11": "PBE-SHA1-RC2-64",
	"1.2.840.113549.1.12.1.1": "PBE-SHA1-RC4-128", "1.2.840.113549.1.12.1.2": "PBE-SHA1-RC4-40",
	"1.2.840.113549.1.12.1.3": "PBE-SHA1-3DES", "1.2.840.113549.1.12.1.4": "PBE-SHA1-2DES",
	"1.2.840.113549.1.12.1.5": "PBE-SHA1-RC2-128", "1.2.840.113549.1.12.1.6": "PBE-SHA1-RC2-40",
}

// cipherNames are OpenSSL's names of the ciphers it offers that Go lacks,
// by OID.
var cipherNames = map[string]string{
	"1.2.840.113549.3.2": "rc2-cbc", "1.2.156.10197.1.104.2": "sm4-cbc",
	"1.2.392.200011.61.1.1.1.2": "camellia-128-cbc", "1.2.392.200011.61.1.1.1.3": "camellia-192-cbc",
	"1.2.392.200011.61.1.1.1.4": "camellia-256-cbc", "1.2.410.200046.1.1.2": "aria-128-cbc",
	"1.2.410.200046.1.1.7": "aria-192-cbc", "1.2.410.200046.1.1.12": "aria-256-cbc",
}

// oidName names the ciphers of cipherNames, and gives other OIDs in
// dotted form.
func oidName(oid asn1.ObjectIdentifier) string {
	if name, ok := cipherNames[oid.String()]; ok {
		return name
	}
	return oid.String()
}
