package bundle

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pbes2Shape is what encryptPBES2 writes: AES-256-CBC with PBKDF2 and
// HMAC-SHA-512 unless a field changes it.
type pbes2Shape struct {
	kdf        asn1.ObjectIdentifier // default PBKDF2
	cipher     asn1.ObjectIdentifier // default AES-256-CBC
	prf        asn1.ObjectIdentifier // default hmacWithSHA512; empty with noPRF
	noPRF      bool                  // leave the PRF out (SHA-1 by default)
	prfNoNULL  bool                  // write the PRF without its NULL parameter
	iterations int64                 // default 3
	keyLength  int                   // written when not 0
	ivSize     int                   // default 16
	cut        int                   // bytes cut off the ciphertext, -1 all
}

var (
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
)

// encryptPBES2 encrypts plain as an EncryptedPrivateKeyInfo of the given
// shape, as OpenSSL does (the cipher is always AES-256-CBC with SHA-512
// key derivation, whatever OIDs the shape names).
func encryptPBES2(t *testing.T, plain []byte, password string, s pbes2Shape) []byte {
	t.Helper()
	if s.kdf == nil {
		s.kdf = oidPBKDF2
	}
	if s.cipher == nil {
		s.cipher = oidAES256CBC
	}
	if s.prf == nil {
		s.prf = oidHMACWithSHA512
	}
	if s.iterations == 0 {
		s.iterations = 3
	}
	if s.ivSize == 0 {
		s.ivSize = aes.BlockSize
	}
	salt, iv := []byte("saltsalt"), bytes.Repeat([]byte{7}, s.ivSize)
	key, err := pbkdf2.Key(sha512.New, password, salt, int(max(s.iterations, 1)), 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	data := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, bytes.Repeat([]byte{7}, aes.BlockSize)).CryptBlocks(data, data)
	if s.cut < 0 {
		s.cut = len(data)
	}
	data = data[:len(data)-s.cut]

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidPBES2)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(s.kdf)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(salt)
						b.AddASN1Int64(s.iterations)
						if s.keyLength != 0 {
							b.AddASN1Int64(int64(s.keyLength))
						}
						if !s.noPRF {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(s.prf)
								if !s.prfNoNULL {
									b.AddASN1NULL()
								}
							})
						}
					})
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(s.cipher)
					b.AddASN1OctetString(iv)
				})
			})
		})
		b.AddASN1OctetString(data)
	})
	return b.BytesOrPanic()
}

// TestReadPBES2Shapes: the optional fields of PBES2 are read as RFC 8018
// says, and damaged or unsupported parameters are one-line errors that
// say which (never "wrong password", never a panic), given before the
// password is asked for: none depends on it.
func TestReadPBES2Shapes(t *testing.T) {
	plain := mustPKCS8(t, fixtureLeafKey(t))
	tests := []struct {
		name  string
		shape pbes2Shape
		is    error  // nil: decrypts
		want  string // exact message
	}{
		{"as OpenSSL writes it", pbes2Shape{}, nil, ""},
		{"PRF without its NULL", pbes2Shape{prfNoNULL: true}, nil, ""},
		{"key length given", pbes2Shape{keyLength: 32}, nil, ""},
		{"key length not the cipher's", pbes2Shape{keyLength: 16}, errMalformedEncryptedKey, "malformed encrypted private key"},
		{"unknown PRF", pbes2Shape{prf: asn1.ObjectIdentifier{1, 2, 3, 4}}, ErrUnsupportedEncryption,
			"PBKDF2 PRF 1.2.3.4 is not supported"},
		{"scrypt", pbes2Shape{kdf: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}}, ErrUnsupportedEncryption,
			"PBES2 key derivation 1.3.6.1.4.1.11591.4.11 is not supported"},
		{"ARIA", pbes2Shape{cipher: asn1.ObjectIdentifier{1, 2, 410, 200046, 1, 1, 12}}, ErrUnsupportedEncryption,
			"PBES2 cipher aria-256-cbc is not supported"},
		{"no iterations", pbes2Shape{iterations: -1}, errMalformedEncryptedKey, "malformed encrypted private key"},
		{"short IV", pbes2Shape{ivSize: 8}, errMalformedEncryptedKey, "malformed encrypted private key (IV of 8 bytes, want 16)"},
		{"ciphertext cut", pbes2Shape{cut: 3}, errMalformedEncryptedKey,
			"malformed encrypted private key (ciphertext is not a whole number of blocks)"},
		{"no ciphertext", pbes2Shape{cut: -1}, errMalformedEncryptedKey,
			"malformed encrypted private key (ciphertext is not a whole number of blocks)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der := encryptPBES2(t, plain, readFixturePassword, tt.shape)
			calls := 0
			got, err := Read(der, "key.der", countingPassword(readFixturePassword, &calls))
			if tt.is == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Keys) != 1 {
					t.Fatalf("%d keys", len(got.Keys))
				}
				return
			}
			if !errors.Is(err, tt.is) || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			if calls != 0 {
				t.Errorf("password asked %d times before the refusal", calls)
			}
		})
	}
}

// TestReadPBES2UnsupportedFirst: an unsupported scheme is said before the
// password is asked for, so no one types a password for nothing.
func TestReadPBES2UnsupportedFirst(t *testing.T) {
	der := encryptPBES2(t, []byte("x"), "pw", pbes2Shape{prf: asn1.ObjectIdentifier{1, 2, 3, 4}})
	_, err := Read(der, "key.der", forbidPassword(t))
	if !errors.Is(err, ErrUnsupportedEncryption) || !strings.Contains(err.Error(), "PRF 1.2.3.4") {
		t.Errorf("got %v", err)
	}
}

// TestReadLegacyPEMRefusedFirst: a legacy encrypted PEM key (Proc-Type,
// DEK-Info) whose cipher crypto/x509 cannot decrypt, or whose IV or data
// cannot be of its cipher, is refused before the password is asked for.
func TestReadLegacyPEMRefusedFirst(t *testing.T) {
	fixture, _ := pem.Decode(readFixture(t, "leaf-legacy-encrypted.key"))
	_, iv, _ := strings.Cut(fixture.Headers["DEK-Info"], ",")
	tests := []struct {
		name    string
		dekInfo string
		cut     int
		is      error
		want    string
	}{
		{"Camellia", "CAMELLIA-256-CBC," + iv, 0, ErrUnsupportedEncryption,
			"legacy PEM encryption CAMELLIA-256-CBC is not supported"},
		{"no DEK-Info", "", 0, errMalformedEncryptedKey, "malformed encrypted private key (no DEK-Info header)"},
		{"short IV", "AES-256-CBC," + iv[:16], 0, errMalformedEncryptedKey,
			"malformed encrypted private key (IV of 8 bytes, want 16)"},
		{"IV not hex", "AES-256-CBC,zz" + iv[2:], 0, errMalformedEncryptedKey,
			"malformed encrypted private key (IV is not hexadecimal)"},
		{"data cut", fixture.Headers["DEK-Info"], 1, errMalformedEncryptedKey,
			"malformed encrypted private key (ciphertext is not a whole number of blocks)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block := &pem.Block{Type: fixture.Type, Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"},
				Bytes: fixture.Bytes[:len(fixture.Bytes)-tt.cut]}
			if tt.dekInfo != "" {
				block.Headers["DEK-Info"] = tt.dekInfo
			}
			_, err := Read(pem.EncodeToMemory(block), "legacy.key", forbidPassword(t))
			const prefix = "PEM block 1 (EC PRIVATE KEY, line 1): "
			if !errors.Is(err, tt.is) || err.Error() != prefix+tt.want {
				t.Errorf("got %v, want %q", err, prefix+tt.want)
			}
		})
	}
}
