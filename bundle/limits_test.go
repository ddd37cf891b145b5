package bundle

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"software.sslmate.com/src/go-pkcs12"
)

// berIndefinite nests depth SEQUENCEs of indefinite length, as the audit's
// crash file did (two million levels overflowed the 1 GB Go stack).
func berIndefinite(depth int) []byte {
	return append(bytes.Repeat([]byte{0x30, 0x80}, depth), make([]byte, 2*depth)...)
}

// derNested wraps inner in depth definite-length elements with the given
// tag, building the headers from the inside out in one pass.
func derNested(depth int, tag byte, inner []byte) []byte {
	headers := make([][]byte, depth)
	size := len(inner)
	for i := depth - 1; i >= 0; i-- {
		headers[i] = append([]byte{tag}, derLength(size)...)
		size += len(headers[i])
	}
	out := make([]byte, 0, size)
	for _, h := range headers {
		out = append(out, h...)
	}
	return append(out, inner...)
}

func derLength(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	b := big.NewInt(int64(n)).Bytes()
	return append([]byte{0x80 | byte(len(b))}, b...)
}

// pkcs7Wrapping is a ContentInfo of type signedData around contents.
func pkcs7Wrapping(contents []byte) []byte {
	oid := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	explicit := append(append([]byte{0xa0}, derLength(len(contents))...), contents...)
	body := append(oid, explicit...)
	return append(append([]byte{0x30}, derLength(len(body))...), body...)
}

// TestReadBERLimits: PKCS#7 input that would crash or stall the BER
// conversion of smallstep/pkcs7 is refused before it, in DER, BER and PEM;
// real files just under the limits still read.
func TestReadBERLimits(t *testing.T) {
	deep := berIndefinite(2_000_000)
	wide := pkcs7Wrapping(derNested(1, 0x30, bytes.Repeat([]byte{0x04, 0x00}, MaxPKCS7Elements)))
	// Parts of an indefinite-length element with no two zero bytes in a
	// row: the library would search to the end of the input after each.
	slow := append(append([]byte{0x30, 0x80}, bytes.Repeat([]byte{0x02, 0x01, 0x01}, 100_000)...), 0, 0)
	tests := []struct {
		name string
		data []byte
		is   error
		want string
	}{
		{"indefinite lengths 2,000,000 deep", deep, ErrTooDeep, "PKCS#7 structure nested too deeply (more than 32 levels)"},
		{"the same as bare base64", []byte(base64.StdEncoding.EncodeToString(append(deep[:6000:6000], deep[len(deep)-6000:]...))), ErrTooDeep, ""},
		{"the same in a PEM PKCS7 block", encodeBlock("PKCS7", deep), ErrTooDeep, "PEM block 1 (PKCS7, line 1): PKCS#7 structure nested too deeply"},
		{"definite lengths 1,000,000 deep", pkcs7Wrapping(derNested(1_000_000, 0x30, nil)), ErrTooDeep, ""},
		{"33 levels", pkcs7Wrapping(derNested(MaxNestingDepth-1, 0x31, []byte{0x05, 0x00})), ErrTooDeep, ""},
		{"too many elements", wide, ErrTooManyElements, "PKCS#7 structure has too many elements"},
		{"too many elements in PEM", encodeBlock("PKCS7", wide), ErrTooManyElements, ""},
		{"indefinite length with 100,000 parts", slow, ErrTooManyElements, ""},
		{"element running past its parent", pkcs7Wrapping([]byte{0x30, 0x02, 0x30, 0x05, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00}), nil, "malformed PKCS#7: an element runs past the end of the one holding it"},
		{"the same in BER, unrecognized", []byte{0x30, 0x80, 0x30, 0x02, 0x30, 0x05, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00, 0, 0}, ErrUnrecognized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(tt.data, "bad", forbidPassword(t))
			if err == nil {
				t.Fatalf("no error; read %d certs", len(got.Certs))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// TestReadBERWithinLimits: nesting up to the limit and BER as Windows
// writes it pass the check and reach the PKCS#7 parser.
func TestReadBERWithinLimits(t *testing.T) {
	// 32 levels: ContentInfo, [0], then 30 more. Not PKCS#7 signed data, so
	// the parser refuses it, but not for its depth.
	_, err := Read(pkcs7Wrapping(derNested(MaxNestingDepth-2, 0x31, []byte{0x05, 0x00})), "deep", nil)
	if err == nil || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooManyElements) {
		t.Errorf("32 levels: got %v, want a parse error other than the limits", err)
	}
	if err := checkBER(pkcs7Wrapping(derNested(MaxNestingDepth-2, 0x31, []byte{0x05, 0x00}))); err != nil {
		t.Errorf("checkBER at 32 levels: %v", err)
	}

	// The committed .p7c with every length made indefinite, as some
	// Windows exports are: each SEQUENCE, SET and [0] of the structure.
	p7c := readFixture(t, "chain.p7c")
	ber := indefiniteLengths(t, p7c)
	if !bytes.HasPrefix(ber, []byte{0x30, 0x80, 0x06}) || len(ber) <= len(p7c) {
		t.Fatal("the BER conversion changed nothing")
	}
	got, err := Read(ber, "ber.p7b", nil)
	if err != nil {
		t.Fatalf("indefinite-length .p7b: %v", err)
	}
	leaf, inter, _ := fixtureChain(t)
	assertSameCerts(t, got.Certs, []*x509.Certificate{leaf, inter})
	if got.Format != FormatPKCS7 {
		t.Errorf("format %q, want pkcs7", got.Format)
	}
}

// indefiniteLengths re-encodes the constructed elements of a PKCS#7
// structure down to (not into) its certificates with indefinite lengths,
// but for empty ones, which smallstep/pkcs7 cannot read.
func indefiniteLengths(t *testing.T, der []byte) []byte {
	t.Helper()
	var walk func(s cryptobyte.String, depth int) []byte
	walk = func(s cryptobyte.String, depth int) []byte {
		var out []byte
		for !s.Empty() {
			var elem, body cryptobyte.String
			var tag cbasn1.Tag
			if !s.ReadAnyASN1Element(&elem, &tag) {
				t.Fatal("fixture is not DER")
			}
			header := elem
			header.ReadAnyASN1(&body, &tag)
			if tag&0x20 == 0 || depth >= 4 || body.Empty() { // the library misreads empty ones
				out = append(out, elem...)
				continue
			}
			out = append(out, byte(tag), 0x80)
			out = append(out, walk(body, depth+1)...)
			out = append(out, 0, 0)
		}
		return out
	}
	return walk(cryptobyte.String(der), 0)
}

// TestReadDeepNestingOtherParsers: the other parsers Read hands bytes to
// (go-pkcs12 and pemutil through encoding/asn1, crypto/x509 through
// cryptobyte) do not recurse into unknown contents, so deep nesting in a
// PFX, an encrypted key or a certificate extension is an ordinary error
// or is read, never a crash.
func TestReadDeepNestingOtherParsers(t *testing.T) {
	deep := derNested(1_000_000, 0x30, nil)
	pfx := append([]byte{0x30}, derLength(3+len(deep))...)
	pfx = append(append(pfx, 0x02, 0x01, 0x03), deep...)
	if _, err := Read(pfx, "deep.pfx", countingPassword("pw", new(int))); err == nil {
		t.Error("PFX with a deeply nested body read without error")
	}
	key := append([]byte{0x30}, derLength(len(deep)+2)...)
	key = append(append(key, deep...), 0x04, 0x00)
	if _, err := Read(encodeBlock("ENCRYPTED PRIVATE KEY", key), "deep.key", countingPassword("pw", new(int))); err == nil {
		t.Error("encrypted key with a deeply nested algorithm read without error")
	}

	// A certificate with an unknown extension holding 200,000 levels.
	signer := testpki.NewKey(testpki.ECDSAP256)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "deep.test"},
		NotBefore: testpki.Now, NotAfter: testpki.Now.AddDate(1, 0, 0),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: derNested(200_000, 0x30, nil)}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{der, encodeBlock("CERTIFICATE", der), pkcs7Of(t, der)} {
		got, err := Read(data, "deep.pem", nil)
		if err != nil || len(got.Certs) != 1 {
			t.Fatalf("certificate with a deep extension: %v", err)
		}
		Summarize(got.Certs[0], testpki.Now)
	}
}

// pkcs7Of is a degenerate (certificates-only) PKCS#7 holding der.
func pkcs7Of(t *testing.T, der []byte) []byte {
	t.Helper()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
				})
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(der) })
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
			})
		})
	})
	return b.BytesOrPanic()
}

// derTree is a DER structure opened for patching in tests: constructed
// elements, and OCTET STRINGs that hold one DER element, are opened.
type derTree struct {
	tag      cbasn1.Tag
	value    []byte
	children []*derTree
}

func parseDERTree(der []byte) *derTree {
	s := cryptobyte.String(der)
	var body cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&body, &tag) || !s.Empty() {
		return nil
	}
	n := &derTree{tag: tag, value: body}
	if tag&0x20 == 0 && tag != cbasn1.OCTET_STRING {
		return n
	}
	var kids []*derTree
	for rest := body; !rest.Empty(); {
		var elem cryptobyte.String
		var etag cbasn1.Tag
		if !rest.ReadAnyASN1Element(&elem, &etag) {
			return n // an OCTET STRING of other bytes
		}
		kids = append(kids, parseDERTree(elem))
	}
	if tag == cbasn1.OCTET_STRING && (len(kids) != 1 || kids[0].tag != cbasn1.SEQUENCE) {
		return n
	}
	n.children = kids
	return n
}

func (n *derTree) encode(b *cryptobyte.Builder) {
	b.AddASN1(n.tag, func(b *cryptobyte.Builder) {
		if n.children == nil {
			b.AddBytes(n.value)
		}
		for _, c := range n.children {
			c.encode(b)
		}
	})
}

// integers lists the INTEGERs equal to v, depth first.
func (n *derTree) integers(v int64) []*derTree {
	want := big.NewInt(v)
	var out []*derTree
	var walk func(*derTree)
	walk = func(n *derTree) {
		if n.tag == cbasn1.INTEGER && new(big.Int).SetBytes(n.value).Cmp(want) == 0 && n.value[0] < 0x80 {
			out = append(out, n)
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	return out
}

// setInteger gives an INTEGER node the non-negative value v.
func (n *derTree) setInteger(v *big.Int) {
	b := v.Bytes()
	if len(b) == 0 || b[0] >= 0x80 {
		b = append([]byte{0}, b...)
	}
	n.value = b
}

// patchIterations sets the iteration counts of a DER fixture, found as the
// INTEGERs equal to 2048 (OpenSSL's count), to the values given in order
// (nil leaves one as it is). It fails when the fixture does not hold
// exactly that many.
func patchIterations(t *testing.T, der []byte, values ...*big.Int) []byte {
	t.Helper()
	tree := parseDERTree(der)
	if tree == nil {
		t.Fatal("fixture is not DER")
	}
	ints := tree.integers(2048)
	if len(ints) != len(values) {
		t.Fatalf("fixture holds %d counts of 2048, want %d", len(ints), len(values))
	}
	for i, v := range values {
		if v != nil {
			ints[i].setInteger(v)
		}
	}
	var b cryptobyte.Builder
	tree.encode(&b)
	return b.BytesOrPanic()
}

func iterCount(v int64) *big.Int { return big.NewInt(v) }

// pemKeyDER is the DER of the encrypted PKCS#8 fixture.
func pemKeyDER(t *testing.T) []byte {
	block, _ := pem.Decode(readFixture(t, "leaf-pkcs8-encrypted.key"))
	return block.Bytes
}

// TestReadIterationLimits: encrypted keys and PFX files that declare more
// key-derivation iterations than MaxKDFIterations, one part or all parts
// of an input together, are refused before any password is asked for or
// any key derived.
func TestReadIterationLimits(t *testing.T) {
	over := iterCount(MaxKDFIterations + 1)
	maxInt31 := iterCount(1<<31 - 1)
	huge := new(big.Int).Lsh(big.NewInt(1), 70)
	modern, legacy := readFixture(t, "modern.pfx"), readFixture(t, "legacy-3des.pfx")
	pbmac1 := pbmac1PFX(t)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"PBKDF2 key, 2^31-1", encodeBlock("ENCRYPTED PRIVATE KEY", patchIterations(t, pemKeyDER(t), maxInt31)),
			"PEM block 1 (ENCRYPTED PRIVATE KEY, line 1): too many key-derivation iterations: the private key asks for 2147483647, chaintool allows 10000000 per input"},
		{"PBKDF2 key, just over", encodeBlock("ENCRYPTED PRIVATE KEY", patchIterations(t, pemKeyDER(t), over)), "asks for 10000001"},
		{"PBKDF2 key, 2^70", encodeBlock("ENCRYPTED PRIVATE KEY", patchIterations(t, pemKeyDER(t), huge)), "asks for 9223372036854775807"},
		{"PBKDF2 key in DER", patchIterations(t, pemKeyDER(t), maxInt31), "the private key asks for 2147483647"},
		{"second key over the sum", joinParts(readFixture(t, "leaf-pkcs8-encrypted.key"),
			encodeBlock("ENCRYPTED PRIVATE KEY", patchIterations(t, pemKeyDER(t), iterCount(MaxKDFIterations-2047)))),
			"PEM block 2 (ENCRYPTED PRIVATE KEY, line 8): too many key-derivation iterations: with the private key this input asks for 10000001 in all"},
		{"modern PFX MAC", patchIterations(t, modern, nil, nil, maxInt31), "the PKCS#12 MAC asks for 2147483647"},
		{"modern PFX encrypted certificates", patchIterations(t, modern, maxInt31, nil, nil), "the encrypted PKCS#12 part asks for 2147483647"},
		{"modern PFX shrouded key", patchIterations(t, modern, nil, maxInt31, nil), "the PKCS#12 private key asks for 2147483647"},
		{"modern PFX, parts over the sum", patchIterations(t, modern, iterCount(MaxKDFIterations/2), iterCount(MaxKDFIterations/2), nil), "in all"},
		{"modern PFX as bare base64", []byte(base64.StdEncoding.EncodeToString(patchIterations(t, modern, nil, nil, over))), "the PKCS#12 MAC asks for 10000001"},
		{"legacy PFX MAC", patchIterations(t, legacy, nil, nil, maxInt31), "the PKCS#12 MAC asks for 2147483647"},
		{"legacy PFX 3DES certificates", patchIterations(t, legacy, maxInt31, nil, nil), "the encrypted PKCS#12 part asks for 2147483647"},
		{"legacy PFX 3DES key", patchIterations(t, legacy, nil, maxInt31, nil), "the PKCS#12 private key asks for 2147483647"},
		{"PBMAC1 PFX", patchIterations(t, pbmac1, nil, nil, maxInt31), "the PKCS#12 MAC asks for 2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			got, err := Read(tt.data, "slow", countingPassword(readFixturePassword, &calls))
			if err == nil {
				t.Fatalf("no error; read %d certs, %d keys", len(got.Certs), len(got.Keys))
			}
			if !errors.Is(err, ErrTooManyIterations) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want ErrTooManyIterations saying %q", err, tt.want)
			}
			if strings.HasPrefix(tt.name, "second key") {
				calls-- // asked for the first key, which is read
			}
			if calls != 0 {
				t.Errorf("password asked %d times before the refusal", calls)
			}
		})
	}
}

// TestReadIterationsWithinLimit: counts below the limit reach the
// decryption libraries (a changed count derives another key: wrong
// password), and files as OpenSSL and go-pkcs12 write them read.
func TestReadIterationsWithinLimit(t *testing.T) {
	for name, data := range map[string][]byte{
		"key":    encodeBlock("ENCRYPTED PRIVATE KEY", patchIterations(t, pemKeyDER(t), iterCount(4096))),
		"PFX":    patchIterations(t, readFixture(t, "modern.pfx"), nil, nil, iterCount(4096)),
		"PBMAC1": patchIterations(t, pbmac1PFX(t), nil, nil, iterCount(4096)),
	} {
		_, err := Read(data, name, countingPassword(readFixturePassword, new(int)))
		if !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s with 4096 iterations: got %v, want ErrWrongPassword", name, err)
		}
	}
	got, err := Read(pbmac1PFX(t), "pbmac1.pfx", countingPassword(readFixturePassword, new(int)))
	if err != nil || len(got.Keys) != 1 || len(got.Certs) != 1 {
		t.Fatalf("PBMAC1 PFX: %v", err)
	}
	if c := pfxCosts(pbmac1PFX(t)); len(c) != 3 || c[0].iterations != 2048 {
		t.Errorf("PBMAC1 PFX costs %v, want the MAC's 2048 and two parts", c)
	}
}

// pbmac1PFX is a PFX with a PBMAC1 MAC (go-pkcs12's Modern2026, which
// OpenSSL 3.4 and later read), key and leaf, password "chaintool".
func pbmac1PFX(t *testing.T) []byte {
	t.Helper()
	leaf, _, _ := fixtureChain(t)
	key, err := Read(readFixture(t, "leaf.key"), "leaf.key", nil)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pkcs12.Modern2026.Encode(key.Keys[0], leaf, nil, readFixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}
