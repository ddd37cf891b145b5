package grade

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// parseHexID reads "0xC0,0x2F" (OpenSSL and testssl.sh spelling).
func parseHexID(s string) (uint16, bool) {
	hi, lo, ok := strings.Cut(s, ",")
	a, err1 := strconv.ParseUint(strings.TrimPrefix(hi, "0x"), 16, 8)
	b, err2 := strconv.ParseUint(strings.TrimPrefix(lo, "0x"), 16, 8)
	return uint16(a<<8 | b), ok && err1 == nil && err2 == nil
}

// TestSuitesAgreeWithTestssl compares every suite of the table with
// testssl.sh's cipher-mapping.txt: IANA name, OpenSSL name and strength
// (3DES aside: testssl counts 168 bits, SSL Labs 112).
func TestSuitesAgreeWithTestssl(t *testing.T) {
	bin := testpki.NeedTool(t, "testssl")
	var data []byte
	for _, p := range []string{"/etc/testssl/cipher-mapping.txt", filepath.Join(filepath.Dir(bin), "etc", "cipher-mapping.txt")} {
		if b, err := os.ReadFile(p); err == nil {
			data = b
			break
		}
	}
	if data == nil {
		t.Fatal("testssl is installed but its cipher-mapping.txt is not found")
	}
	mapping := map[uint16][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		if id, ok := parseHexID(f[0]); ok {
			mapping[id] = f
		}
	}
	for _, s := range suiteTable {
		f, ok := mapping[s.ID]
		if !ok {
			t.Errorf("0x%04X %s: not in testssl.sh's mapping", s.ID, s.Name)
			continue
		}
		if f[2] != s.OpenSSL || f[3] != s.Name {
			t.Errorf("0x%04X: %s %s, testssl.sh %s %s", s.ID, s.OpenSSL, s.Name, f[2], f[3])
		}
		bits := s.Bits
		if s.Cipher == enc3DES {
			bits = 168
		}
		enc := strings.Join(f[5:], " ")
		if s.Cipher == encNULL {
			if !strings.Contains(enc, "Enc=None") {
				t.Errorf("0x%04X: NULL, testssl.sh %s", s.ID, enc)
			}
		} else if !strings.Contains(enc, "("+strconv.Itoa(bits)+")") {
			t.Errorf("0x%04X %s: %d bits, testssl.sh %s", s.ID, s.OpenSSL, bits, enc)
		}
	}
}

// TestSuitesAgreeWithOpenSSL checks the OpenSSL name of every suite the
// local OpenSSL knows, and that the table lacks none of them but PSK and
// SRP suites.
func TestSuitesAgreeWithOpenSSL(t *testing.T) {
	openssl := testpki.NeedTool(t, "openssl")
	out, err := exec.Command(openssl, "ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		id, ok := parseHexID(f[0])
		if !ok {
			continue
		}
		s, known := LookupSuite(id)
		switch {
		case !known && (strings.Contains(f[2], "PSK") || strings.HasPrefix(f[2], "SRP")):
		case !known:
			t.Errorf("%s %s: missing from the table", f[0], f[2])
		case s.OpenSSL != f[2]:
			t.Errorf("%s: %s, openssl %s", f[0], s.OpenSSL, f[2])
		default:
			n++
		}
	}
	if n < 50 {
		t.Errorf("only %d suites compared", n)
	}
}

func TestSuiteProperties(t *testing.T) {
	for _, tt := range []struct {
		id                         uint16
		fs, aead, anon, small, cbc bool
	}{
		{0x1301, true, true, false, false, false},
		{0xC02F, true, true, false, false, false},
		{0xC013, true, false, false, false, true},
		{0x009C, false, true, false, false, false},
		{0x000A, false, false, false, true, true},
		{0x00A6, false, true, true, false, false},
		{0xC018, false, false, true, false, true},
		{0x0005, false, false, false, false, false},
	} {
		s, ok := LookupSuite(tt.id)
		if !ok || s.ForwardSecret() != tt.fs || s.AEAD() != tt.aead || s.Anonymous() != tt.anon || s.SmallBlock() != tt.small || s.CBC() != tt.cbc {
			t.Errorf("0x%04X %s: fs %v aead %v anon %v small %v cbc %v", tt.id, s.Name, s.ForwardSecret(), s.AEAD(), s.Anonymous(), s.SmallBlock(), s.CBC())
		}
	}
	seen := map[uint16]bool{}
	for _, s := range suiteTable {
		if seen[s.ID] {
			t.Errorf("0x%04X twice", s.ID)
		}
		seen[s.ID] = true
	}
	if s, ok := LookupSuite(0xFAFA); ok || s.Name != "0xFAFA" {
		t.Errorf("unknown suite: %+v", s)
	}
}
