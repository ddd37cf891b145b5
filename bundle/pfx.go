package bundle

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"software.sslmate.com/src/go-pkcs12"
)

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
