package bundle

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/chaintool/chaintool/internal/testpki"
)

// readFixturePassword is the password of every encrypted file in ../testdata.
const readFixturePassword = "chaintool"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fixtureCerts returns the committed test chain: leaf, intermediate, root.
func fixtureChain(t testing.TB) (leaf, inter, root *x509.Certificate) {
	t.Helper()
	parse := func(name string) *x509.Certificate {
		b, _ := pem.Decode(readFixture(t, name))
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return parse("leaf.pem"), parse("inter.pem"), parse("root.pem")
}

// passwords returns a PasswordFunc giving pw and counting its calls.
func countingPassword(pw string, calls *int) PasswordFunc {
	return func(string) ([]byte, error) {
		*calls++
		return []byte(pw), nil
	}
}

func forbidPassword(t *testing.T) PasswordFunc {
	return func(name string) ([]byte, error) {
		t.Errorf("password asked for %s, which is not encrypted", name)
		return nil, ErrPasswordRequired
	}
}

// TestReadFixtures reads every file OpenSSL made for the tests and checks
// the certificates (by identity, in order) and keys found.
func TestReadFixtures(t *testing.T) {
	leaf, inter, root := fixtureChain(t)
	tests := []struct {
		file      string
		format    Format
		certs     []*x509.Certificate
		keys      int
		encrypted bool
	}{
		{"leaf.pem", FormatPEM, []*x509.Certificate{leaf}, 0, false},
		{"leaf.der", FormatDER, []*x509.Certificate{leaf}, 0, false},
		{"leaf.key", FormatPEM, nil, 1, false},
		{"root-trusted.pem", FormatPEM, []*x509.Certificate{root}, 0, false},
		{"text-crlf.pem", FormatPEM, []*x509.Certificate{root, inter, leaf}, 1, false},
		{"chain.p7b", FormatPKCS7, []*x509.Certificate{leaf, inter}, 0, false},
		{"chain.p7c", FormatPKCS7, []*x509.Certificate{leaf, inter}, 0, false},
		{"modern.pfx", FormatPKCS12, []*x509.Certificate{leaf, inter, root}, 1, true},
		{"legacy-rc2.pfx", FormatPKCS12, []*x509.Certificate{leaf, inter}, 1, true},
		{"legacy-3des.pfx", FormatPKCS12, []*x509.Certificate{leaf, inter}, 1, true},
		{"empty-password.pfx", FormatPKCS12, []*x509.Certificate{leaf}, 1, false},
		{"leaf-pkcs8-encrypted.key", FormatPEM, nil, 1, true},
		{"leaf-legacy-encrypted.key", FormatPEM, nil, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			calls := 0
			pw := countingPassword(readFixturePassword, &calls)
			if !tt.encrypted {
				pw = forbidPassword(t)
			}
			got, err := Read(readFixture(t, tt.file), tt.file, pw)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if tt.encrypted && calls != 1 {
				t.Errorf("password asked %d times, want once", calls)
			}
			if got.Format != tt.format {
				t.Errorf("format %q, want %q", got.Format, tt.format)
			}
			assertSameCerts(t, got.Certs, tt.certs)
			if len(got.Keys) != tt.keys {
				t.Fatalf("%d keys, want %d", len(got.Keys), tt.keys)
			}
			for _, k := range got.Keys {
				if !KeyMatches(leaf, k) {
					t.Errorf("key does not match the leaf")
				}
			}
		})
	}
}

func assertSameCerts(t *testing.T, got, want []*x509.Certificate) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d certificates, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("certificate %d is %q, want %q", i, got[i].Subject, want[i].Subject)
		}
	}
}

// TestReadPasswordErrors covers every encrypted fixture with a wrong
// password and with no password source.
func TestReadPasswordErrors(t *testing.T) {
	for _, file := range []string{"modern.pfx", "legacy-rc2.pfx", "legacy-3des.pfx",
		"leaf-pkcs8-encrypted.key", "leaf-legacy-encrypted.key"} {
		t.Run(file, func(t *testing.T) {
			calls := 0
			_, err := Read(readFixture(t, file), file, countingPassword("not the password", &calls))
			if !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: got %v, want ErrWrongPassword", err)
			}
			_, err = Read(readFixture(t, file), file, nil)
			if !errors.Is(err, ErrPasswordRequired) {
				t.Errorf("no password: got %v, want ErrPasswordRequired", err)
			}
			if err != nil && strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
}

func TestReadPasswordSourceError(t *testing.T) {
	boom := errors.New("secrets.txt: cannot read password file: permission denied")
	_, err := Read(readFixture(t, "modern.pfx"), "x", func(string) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) || err.Error() != boom.Error() {
		t.Errorf("got %v, want the password source's error unchanged", err)
	}
}

// TestReadCertOnlyPFX: OpenSSL's -nokeys files cannot be read by go-pkcs12
// (no key, no Java trust marks): a clear error, not a parse failure.
// Java-style trust stores, as EncodePFX writes them, are read.
func TestReadCertOnlyPFX(t *testing.T) {
	calls := 0
	_, err := Read(readFixture(t, "certs-only.pfx"), "certs-only.pfx", countingPassword(readFixturePassword, &calls))
	if !errors.Is(err, ErrCertOnlyPFX) {
		t.Fatalf("got %v, want ErrCertOnlyPFX", err)
	}
	_, err = Read(readFixture(t, "certs-only.pfx"), "certs-only.pfx", countingPassword("wrong", &calls))
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: got %v, want ErrWrongPassword", err)
	}

	_, inter, root := fixtureChain(t)
	for _, profile := range []PFXProfile{PFXModern, PFXLegacy} {
		pfx, err := EncodePFX(nil, nil, []*x509.Certificate{inter, root}, "pw", profile)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Read(pfx, "store.p12", countingPassword("pw", &calls))
		if err != nil {
			t.Fatalf("%s trust store: %v", profile, err)
		}
		assertSameCerts(t, got.Certs, []*x509.Certificate{inter, root})
	}
}

// readTestChain holds the chain readChain makes once per test binary.
var readTestChain = struct {
	root, inter, leaf *testpki.Cert
}{}

func readChain(t testing.TB) (root, inter, leaf *testpki.Cert) {
	t.Helper()
	if readTestChain.root == nil {
		readTestChain.root = testpki.NewRoot("Read Root")
		readTestChain.inter = readTestChain.root.NewIntermediate("Read Intermediate")
		readTestChain.leaf = readTestChain.inter.NewLeaf("read.test")
	}
	return readTestChain.root, readTestChain.inter, readTestChain.leaf
}

func encodeBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// TestReadPEMShapes covers PEM as people hand it over: any order, text
// between blocks, CRLF, keys first, blocks that are skipped.
func TestReadPEMShapes(t *testing.T) {
	root, inter, leaf := readChain(t)
	crlf := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }
	tests := []struct {
		name    string
		data    []byte
		certs   []*testpki.Cert
		keys    int
		skipped []string
	}{
		{"in any order", testpki.ChainPEM(root, leaf, inter), []*testpki.Cert{root, leaf, inter}, 0, nil},
		{"key first", append(leaf.KeyPEM(), testpki.ChainPEM(leaf, inter)...), []*testpki.Cert{leaf, inter}, 1, nil},
		{"text between", joinParts("subject=CN = read.test\nissuer=CN = Read Intermediate\n", leaf.PEM(),
			"\nBag Attributes\n    friendlyName: x\n", inter.PEM(), "trailing words\n"), []*testpki.Cert{leaf, inter}, 0, nil},
		{"CRLF", crlf(append(testpki.ChainPEM(leaf, inter), leaf.KeyPEM()...)), []*testpki.Cert{leaf, inter}, 1, nil},
		{"no final newline", bytes.TrimSpace(leaf.PEM()), []*testpki.Cert{leaf}, 0, nil},
		{"indented by spaces and tabs", joinParts("  \t", leaf.PEM()), []*testpki.Cert{leaf}, 0, nil},
		{"text starting with 0", joinParts("0 s:CN = read.test\n", leaf.PEM()), []*testpki.Cert{leaf}, 0, nil},
		{"X509 CERTIFICATE", encodeBlock("X509 CERTIFICATE", leaf.DER()), []*testpki.Cert{leaf}, 0, nil},
		{"skipped blocks", joinParts(encodeBlock("CERTIFICATE REQUEST", []byte{1}), leaf.PEM(), encodeBlock("X509 CRL", []byte{2})),
			[]*testpki.Cert{leaf}, 0, []string{"CERTIFICATE REQUEST", "X509 CRL"}},
		{"UTF-8 BOM", joinParts("\xef\xbb\xbf", leaf.PEM()), []*testpki.Cert{leaf}, 0, nil},
		{"UTF-16LE with BOM", toUTF16LE(leaf.PEM()), []*testpki.Cert{leaf}, 0, nil},
		{"bare base64 DER", []byte(base64.StdEncoding.EncodeToString(leaf.DER()) + "\n"), []*testpki.Cert{leaf}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(tt.data, "x", forbidPassword(t))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			assertSameCerts(t, got.Certs, testpki.X509(tt.certs...))
			if len(got.Keys) != tt.keys {
				t.Errorf("%d keys, want %d", len(got.Keys), tt.keys)
			}
			if strings.Join(got.Skipped, ",") != strings.Join(tt.skipped, ",") {
				t.Errorf("skipped %q, want %q", got.Skipped, tt.skipped)
			}
		})
	}
}

func joinParts(parts ...any) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case []byte:
			b.Write(v)
		}
	}
	return b.Bytes()
}

func toUTF16LE(text []byte) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(text))) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// TestReadKeys covers every private key encoding, in PEM and DER.
func TestReadKeys(t *testing.T) {
	rsaKey := testpki.NewKey(testpki.RSA2048).(*rsa.PrivateKey)
	ecKey := testpki.NewKey(testpki.ECDSAP256).(*ecdsa.PrivateKey)
	edKey := testpki.NewKey(testpki.Ed25519).(ed25519.PrivateKey)
	sec1, _ := x509.MarshalECPrivateKey(ecKey)
	tests := []struct {
		name string
		typ  string
		der  []byte
		key  crypto.Signer
	}{
		{"PKCS#1 RSA", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), rsaKey},
		{"SEC1 EC", "EC PRIVATE KEY", sec1, ecKey},
		{"PKCS#8 RSA", "PRIVATE KEY", mustPKCS8(t, rsaKey), rsaKey},
		{"PKCS#8 ECDSA", "PRIVATE KEY", mustPKCS8(t, ecKey), ecKey},
		{"PKCS#8 Ed25519", "PRIVATE KEY", mustPKCS8(t, edKey), edKey},
	}
	for _, tt := range tests {
		for _, form := range []string{"PEM", "DER"} {
			t.Run(tt.name+" "+form, func(t *testing.T) {
				data := tt.der
				if form == "PEM" {
					data = encodeBlock(tt.typ, tt.der)
				}
				got, err := Read(data, "key", forbidPassword(t))
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if len(got.Keys) != 1 || !got.Keys[0].Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tt.key.Public()) {
					t.Fatalf("got %d keys, want the one key", len(got.Keys))
				}
			})
		}
	}
}

func mustPKCS8(t *testing.T, k crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestReadDER covers DER certificates, alone and concatenated, and
// encrypted PKCS#8 in DER.
func TestReadDER(t *testing.T) {
	_, inter, leaf := readChain(t)
	got, err := Read(append(leaf.DER(), inter.DER()...), "two.der", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSameCerts(t, got.Certs, testpki.X509(leaf, inter))

	// Windows .p7b exports are often BER, with indefinite lengths.
	p7c := readFixture(t, "chain.p7c")
	ber := append(append([]byte{0x30, 0x80}, p7c[4:]...), 0, 0)
	got, err = Read(ber, "ber.p7b", nil)
	if err != nil || got.Format != FormatPKCS7 || len(got.Certs) != 2 {
		t.Fatalf("BER PKCS#7: %v", err)
	}

	block, _ := pem.Decode(readFixture(t, "leaf-pkcs8-encrypted.key"))
	calls := 0
	got, err = Read(block.Bytes, "key.der", countingPassword(readFixturePassword, &calls))
	if err != nil || len(got.Keys) != 1 {
		t.Fatalf("encrypted PKCS#8 DER: %v", err)
	}
}

// TestReadBadInput checks that damaged input of every kind is an error
// with a useful, one-line message, never a panic or a silent skip.
func TestReadBadInput(t *testing.T) {
	_, inter, leaf := readChain(t)
	good := leaf.PEM()
	tests := []struct {
		name string
		data []byte
		is   error  // errors.Is target, or nil
		want string // substring of the message
	}{
		{"empty", nil, ErrEmpty, ""},
		{"whitespace", []byte(" \n\r\n\t"), ErrEmpty, ""},
		{"random bytes", []byte{0x8f, 0x00, 0x13, 0x37, 0xfe, 0x01}, ErrUnrecognized, ""},
		{"plain text", []byte("hello, this is not a certificate\n"), ErrUnrecognized, ""},
		{"truncated PEM", good[:len(good)/2], nil, "line 1 is truncated"},
		{"truncated PEM before a good one", joinParts(good[:len(good)/2], inter.PEM()), nil, "line 1 is truncated"},
		{"bad base64", bytes.Replace(good, []byte("MII"), []byte("M*I"), 1), nil, "line 1 is damaged"},
		{"END not matching", bytes.Replace(good, []byte("END CERTIFICATE"), []byte("END PRIVATE KEY"), 1), nil, "damaged"},
		{"bad certificate in PEM", encodeBlock("CERTIFICATE", []byte{0x30, 0x03, 0x02, 0x01, 0x01}), nil, "PEM block 1 (CERTIFICATE, line 1): invalid certificate"},
		{"bad key in PEM", joinParts(good, encodeBlock("PRIVATE KEY", []byte{0x30, 0x00})), nil, "PEM block 2 (PRIVATE KEY, line 12): malformed or unsupported private key"},
		{"DER with trailing bytes", append(leaf.DER(), 0xde, 0xad), nil, "followed by 2 unexpected trailing bytes"},
		{"DER then garbage SEQUENCE", append(leaf.DER(), 0x30, 0x01, 0x00), nil, "bytes that are not a certificate"},
		{"truncated DER", leaf.DER()[:100], ErrUnrecognized, ""},
		{"only a CSR", encodeBlock("CERTIFICATE REQUEST", []byte{1}), ErrNothingFound, "(skipped CERTIFICATE REQUEST)"},
		{"100,000 skipped blocks", bytes.Repeat([]byte("-----BEGIN X-----\nAAAA\n-----END X-----\n"), 100_000), ErrNothingFound,
			"no certificate or private key found (skipped 100000 X blocks)"},
		{"a truncated block after 100,000 others", joinParts(bytes.Repeat([]byte("-----BEGIN X-----\r\nAAAA\r\n-----END X-----\r\n"), 100_000), good[:40]),
			nil, "PEM block at line 300001 is truncated"},
		{"PKCS#7 without certificates", encodeBlock("PKCS7", []byte{0x30, 0x03, 0x06, 0x01, 0x00}), nil, "PKCS#7"},
		{"encrypted key cut short", damagedEncryptedKey(t), nil, "malformed encrypted private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			got, err := Read(tt.data, "bad", countingPassword(readFixturePassword, &calls))
			if err == nil {
				t.Fatalf("no error; read %d certs, %d keys", len(got.Certs), len(got.Keys))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
}

// TestDescribeSkipped: skipped block types are summarised in one short
// phrase however many blocks there are.
func TestDescribeSkipped(t *testing.T) {
	many := func(n int, typ string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = typ
		}
		return out
	}
	tests := []struct {
		types []string
		want  string
	}{
		{[]string{"CERTIFICATE REQUEST"}, "CERTIFICATE REQUEST"},
		{[]string{"CERTIFICATE REQUEST", "X509 CRL"}, "CERTIFICATE REQUEST, X509 CRL"},
		{many(100_000, "X"), "100000 X blocks"},
		{append(append([]string{"X509 CRL"}, many(3, "DH PARAMETERS")...), "X509 CRL"), "2 X509 CRL blocks, 3 DH PARAMETERS blocks"},
		{[]string{"A", "B", "C", "D"}, "A, B, C, 1 more block of 1 other type"},
		{append([]string{"A", "B", "C", "D", "E", "D"}, many(5, "F")...), "A, B, C, 8 more blocks of 3 other types"},
	}
	for _, tt := range tests {
		if got := DescribeSkipped(tt.types); got != tt.want {
			t.Errorf("DescribeSkipped(%d types) = %q, want %q", len(tt.types), got, tt.want)
		}
	}
}

// TestReadPEMFormat: a PEM file is reported as PKCS#7 when every
// certificate in it came from PKCS7 blocks and it holds no key.
func TestReadPEMFormat(t *testing.T) {
	_, _, leaf := readChain(t)
	p7b := readFixture(t, "chain.p7b")
	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"PKCS7 block", p7b, FormatPKCS7},
		{"PKCS7 block between text and a CSR", joinParts("issued by our CA\n", p7b, encodeBlock("CERTIFICATE REQUEST", []byte{1})), FormatPKCS7},
		{"two PKCS7 blocks", joinParts(p7b, p7b), FormatPKCS7},
		{"PKCS7 and CERTIFICATE blocks", joinParts(p7b, leaf.PEM()), FormatPEM},
		{"PKCS7 block and a key", joinParts(p7b, leaf.KeyPEM()), FormatPEM},
		{"CERTIFICATE block", leaf.PEM(), FormatPEM},
	}
	for _, tt := range tests {
		got, err := Read(tt.data, tt.name, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.Format != tt.want {
			t.Errorf("%s: format %q, want %q", tt.name, got.Format, tt.want)
		}
	}
}

// damagedEncryptedKey returns the encrypted PKCS#8 fixture with its
// ciphertext cut to a length that is not whole cipher blocks, which makes
// the decryption library panic unless Read guards it.
func damagedEncryptedKey(t *testing.T) []byte {
	block, _ := pem.Decode(readFixture(t, "leaf-pkcs8-encrypted.key"))
	var info struct {
		Algorithm asn1.RawValue
		Data      []byte
	}
	if _, err := asn1.Unmarshal(block.Bytes, &info); err != nil {
		t.Fatal(err)
	}
	info.Data = info.Data[:len(info.Data)-1]
	der, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return encodeBlock("ENCRYPTED PRIVATE KEY", der)
}

func TestReadTooLarge(t *testing.T) {
	big := make([]byte, MaxInputSize+1)
	if _, err := Read(big, "big", nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read: got %v, want ErrTooLarge", err)
	}
	if _, err := ReadFrom(bytes.NewReader(big), "big", nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFrom: got %v, want ErrTooLarge", err)
	}
	path := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 50<<20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	_, err := ReadFile(path, nil)
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("ReadFile: got %v, want %s: ErrTooLarge", err, path)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadFile(dir, nil)
	if err == nil || err.Error() != dir+": is a directory" {
		t.Errorf("directory: got %v", err)
	}
	missing := filepath.Join(dir, "missing.pem")
	_, err = ReadFile(missing, nil)
	if !errors.Is(err, os.ErrNotExist) || err.Error() != missing+": no such file" {
		t.Errorf("missing: got %v", err)
	}
	_, _, leaf := readChain(t)
	ok := filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(ok, leaf.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(ok, nil)
	if err != nil || got.Name != ok || len(got.Certs) != 1 {
		t.Errorf("ReadFile: %v", err)
	}
}

// TestReadPasswordAskedOnce: one input with two encrypted keys asks once.
func TestReadPasswordAskedOnce(t *testing.T) {
	key := readFixture(t, "leaf-pkcs8-encrypted.key")
	calls := 0
	got, err := Read(joinParts(key, readFixture(t, "leaf-legacy-encrypted.key")), "keys.pem", countingPassword(readFixturePassword, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(got.Keys) != 2 {
		t.Errorf("asked %d times for %d keys, want once for 2", calls, len(got.Keys))
	}
}
