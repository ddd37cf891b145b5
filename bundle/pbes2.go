package bundle

import (
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

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
