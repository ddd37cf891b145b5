package grade

import (
	"strings"
	"testing"
)

// suite returns the accepted suite named by its OpenSSL name in protocol v.
func suite(t *testing.T, v uint16, openssl string) accepted {
	t.Helper()
	for _, s := range suiteTable {
		if s.OpenSSL == openssl {
			return accepted{Suite: s, version: v}
		}
	}
	t.Fatalf("no suite %s", openssl)
	return accepted{}
}

func sim(t *testing.T, client string, v uint16, openssl string, dhBits int) Simulation {
	a := suite(t, v, openssl)
	return Simulation{Client: client, Protocol: VersionName(v), Suite: a.Name, suite: a.Suite, version: v, DHBits: dhBits}
}

var goodHSTS = HSTSResult{Checked: true, Present: true, MaxAge: 63072000}

// modernInput is an A+ server: TLS 1.2 and 1.3, ECDHE with AEAD, RSA-2048.
func modernInput(t *testing.T) ratingInput {
	yes := true
	return ratingInput{
		offered: map[uint16]bool{VersionTLS12: true, VersionTLS13: true},
		suites: []accepted{
			suite(t, VersionTLS13, "TLS_AES_128_GCM_SHA256"), suite(t, VersionTLS13, "TLS_AES_256_GCM_SHA384"),
			suite(t, VersionTLS12, "ECDHE-RSA-AES128-GCM-SHA256"), suite(t, VersionTLS12, "ECDHE-RSA-AES256-GCM-SHA384"),
		},
		serverKeys:    []KeyInfo{{Type: "RSA", Bits: 2048, Score: 90}},
		sims:          []Simulation{sim(t, "Chrome", VersionTLS13, "TLS_AES_128_GCM_SHA256", 0)},
		renegotiation: &yes,
		hsts:          goodHSTS,
	}
}

func TestRate(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, in *ratingInput)
		grade  string
		score  int
		want   string // substring of a cap, warning or note
	}{
		{"modern", func(*testing.T, *ratingInput) {}, "A+", 93, ""},
		{"no HSTS gives A, not A-", func(_ *testing.T, in *ratingInput) { in.hsts = HSTSResult{Checked: true, MaxAge: -1} }, "A", 93, "withholds A+"},
		{"HSTS unchecked", func(_ *testing.T, in *ratingInput) { in.hsts = HSTSResult{MaxAge: -1, Problem: "no HTTP response"} }, "A", 93, "HSTS not checked"},
		{"short HSTS", func(_ *testing.T, in *ratingInput) {
			in.hsts = parseHSTS([]string{"max-age=600"})
			in.hsts.Checked = true
		}, "A-", 93, "under 180 days"},
		{"no TLS 1.3", func(_ *testing.T, in *ratingInput) { in.offered[VersionTLS13] = false }, "A-", 93, "TLS 1.3 not supported"},
		{"no secure renegotiation", func(_ *testing.T, in *ratingInput) { no := false; in.renegotiation = &no }, "A-", 93, "secure renegotiation"},
		{"SSL 2.0", func(_ *testing.T, in *ratingInput) {
			in.offered[VersionSSL2] = true
			in.ssl2 = []ssl2Cipher{ssl2Ciphers[0]}
		}, "F", 15 + 27 + 36, "SSL 2.0 offered"},
		{"SSL 3.0 only", func(t *testing.T, in *ratingInput) {
			in.offered = map[uint16]bool{VersionSSL3: true}
			in.suites = []accepted{suite(t, VersionSSL3, "AES128-SHA")}
			in.sims = nil
		}, "F", 24 + 27 + 32, "SSL 3.0 is the best"},
		{"POODLE", func(t *testing.T, in *ratingInput) {
			in.offered[VersionSSL3] = true
			in.suites = append(in.suites, suite(t, VersionSSL3, "AES128-SHA"))
		}, "C", 27 + 27 + 36, "POODLE"},
		{"TLS 1.0", func(_ *testing.T, in *ratingInput) { in.offered[VersionTLS10] = true }, "B", 28 + 27 + 36, "TLS 1.0 offered"},
		{"no TLS 1.2", func(t *testing.T, in *ratingInput) {
			in.offered = map[uint16]bool{VersionTLS10: true}
			in.suites = []accepted{suite(t, VersionTLS10, "ECDHE-RSA-AES256-SHA")}
			in.sims = nil
		}, "C", 27 + 27 + 40, "neither TLS 1.2 nor TLS 1.3"},
		{"export", func(t *testing.T, in *ratingInput) {
			in.suites = append(in.suites, suite(t, VersionTLS12, "EXP-RC4-MD5"))
		}, "F", 30 + 27 + 24, "export suites"},
		{"DES", func(t *testing.T, in *ratingInput) {
			in.suites = append(in.suites, suite(t, VersionTLS12, "DES-CBC-SHA"))
		}, "F", 30 + 27 + 24, "under 112 bits"},
		{"NULL zeroes the cipher score", func(t *testing.T, in *ratingInput) {
			in.suites = append(in.suites, suite(t, VersionTLS12, "NULL-SHA"))
		}, "F", 30 + 27 + 20, "under 112 bits"},
		{"anonymous zeroes everything", func(t *testing.T, in *ratingInput) {
			in.suites = append(in.suites, suite(t, VersionTLS12, "ADH-AES128-GCM-SHA256"))
		}, "F", 0, "anonymous"},
		{"RC4 in TLS 1.2", func(t *testing.T, in *ratingInput) { in.suites = append(in.suites, suite(t, VersionTLS12, "RC4-SHA")) }, "C", 93, "RC4 offered with TLS 1.1"},
		{"RC4 in TLS 1.0 only", func(t *testing.T, in *ratingInput) {
			in.offered[VersionTLS10] = true
			in.suites = append(in.suites, suite(t, VersionTLS10, "RC4-SHA"))
		}, "B", 91, "RC4 offered"},
		{"3DES negotiated by a client", func(t *testing.T, in *ratingInput) {
			in.suites = append(in.suites, suite(t, VersionTLS12, "DES-CBC3-SHA"))
			in.sims = append(in.sims, sim(t, "Safari", VersionTLS12, "DES-CBC3-SHA", 0))
		}, "C", 30 + 27 + 24, "Sweet32"},
		{"3DES offered but never chosen", func(t *testing.T, in *ratingInput) {
			in.suites = append(in.suites, suite(t, VersionTLS12, "DES-CBC3-SHA"))
		}, "A+", 30 + 27 + 24, ""},
		{"a client without forward secrecy", func(t *testing.T, in *ratingInput) {
			in.sims = append(in.sims, sim(t, "curl", VersionTLS12, "AES128-GCM-SHA256", 0))
		}, "B", 93, "no forward secrecy: AES128-GCM-SHA256 (curl)"},
		{"a client on CBC", func(t *testing.T, in *ratingInput) {
			in.sims = append(in.sims, sim(t, "curl", VersionTLS12, "ECDHE-RSA-AES128-SHA", 0))
		}, "B", 93, "no AEAD suite: ECDHE-RSA-AES128-SHA (curl)"},
		{"weak DH negotiated", func(t *testing.T, in *ratingInput) {
			a := suite(t, VersionTLS12, "DHE-RSA-AES128-GCM-SHA256")
			a.kex.dhBits = 1024
			in.suites = append(in.suites, a)
			in.sims = append(in.sims, sim(t, "curl", VersionTLS12, "DHE-RSA-AES128-GCM-SHA256", 1024))
		}, "B", 30 + 24 + 36, "weak DH group"},
		{"weak DH offered, never chosen: score only", func(t *testing.T, in *ratingInput) {
			a := suite(t, VersionTLS12, "DHE-RSA-AES128-GCM-SHA256")
			a.kex.dhBits = 1024
			in.suites = append(in.suites, a)
		}, "A+", 30 + 24 + 36, ""},
		{"insecure DH negotiated", func(t *testing.T, in *ratingInput) {
			in.sims = append(in.sims, sim(t, "curl", VersionTLS12, "DHE-RSA-AES128-GCM-SHA256", 768))
		}, "F", 93, "insecure DH group"},
		{"no client connects: judged on offers", func(t *testing.T, in *ratingInput) {
			in.suites = []accepted{suite(t, VersionTLS12, "AES256-SHA")}
			in.offered[VersionTLS13] = false
			in.sims = []Simulation{{Client: "Chrome", Error: "refused: handshake_failure"}}
		}, "B", 30 + 27 + 40, "no forward secrecy: no suite offered"},
		{"RSA-1024 key", func(_ *testing.T, in *ratingInput) { in.serverKeys = []KeyInfo{keyInfoRSA(1024)} }, "B", 90, "weak (under 2048 bits)"},
		{"RSA-512 key", func(_ *testing.T, in *ratingInput) { in.serverKeys = []KeyInfo{keyInfoRSA(512)} }, "F", 30 + 12 + 36, "insecure (under 1024 bits)"},
		{"RSA-4096 key", func(_ *testing.T, in *ratingInput) { in.serverKeys = []KeyInfo{keyInfoRSA(4096)} }, "A+", 96, ""},
		{"EC-160 key", func(_ *testing.T, in *ratingInput) { in.serverKeys = []KeyInfo{keyInfoEC(160)} }, "B", 90, "server key ECDSA 160 bits is weak (under 163 bits)"},
		{"EC-112 key", func(_ *testing.T, in *ratingInput) { in.serverKeys = []KeyInfo{keyInfoEC(112)} }, "F", 30 + 12 + 36, "server key ECDSA 112 bits is insecure (under 123 bits)"},
		{"DSA-1024 key", func(_ *testing.T, in *ratingInput) {
			in.serverKeys = []KeyInfo{{Type: "DSA", Bits: 1024, Score: ffScore(1024)}}
		}, "B", 90, "server key DSA 1024 bits is weak (under 2048 bits)"},
		{"compression", func(_ *testing.T, in *ratingInput) { in.compression = true }, "C", 93, "CRIME"},
		{"untrusted beats everything", func(_ *testing.T, in *ratingInput) {
			in.certCaps = []Cap{{"T", "certificate not trusted: self-signed"}}
			in.offered[VersionSSL2] = true
		}, "T", 15 + 27 + 36, "self-signed"},
		{"mismatch beats untrusted", func(_ *testing.T, in *ratingInput) {
			in.certCaps = []Cap{{"T", "not trusted"}, {"M", "certificate name mismatch"}}
		}, "M", 93, "name mismatch"},
		{"a cap above the score letter keeps the score letter", func(t *testing.T, in *ratingInput) {
			in.offered = map[uint16]bool{VersionTLS10: true, VersionTLS12: true}
			dhe := suite(t, VersionTLS12, "DHE-RSA-AES256-GCM-SHA384")
			dhe.kex.dhBits = 512
			in.suites = []accepted{suite(t, VersionTLS12, "ECDHE-RSA-AES256-GCM-SHA384"), suite(t, VersionTLS12, "DES-CBC3-SHA"), dhe}
			in.sims = []Simulation{sim(t, "Chrome", VersionTLS12, "ECDHE-RSA-AES256-GCM-SHA384", 0)}
		}, "C", 28 + 12 + 24, "TLS 1.0 offered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := modernInput(t)
			tt.change(t, &in)
			r := rate(in)
			if r.grade != tt.grade || r.score != tt.score {
				t.Errorf("got %s %d, want %s %d; caps %v warnings %v", r.grade, r.score, tt.grade, tt.score, r.caps, r.warnings)
			}
			all := strings.Join(append(append(capStrings(r.caps), r.warnings...), r.notes...), "\n")
			if tt.want != "" && !strings.Contains(all, tt.want) {
				t.Errorf("%q not in:\n%s", tt.want, all)
			}
			if tt.want == "" && (len(r.caps) > 0 || len(r.warnings) > 0) {
				t.Errorf("unexpected caps or warnings:\n%s", all)
			}
		})
	}
}

func keyInfoRSA(bits int) KeyInfo { return KeyInfo{Type: "RSA", Bits: bits, Score: ffScore(bits)} }

func keyInfoEC(bits int) KeyInfo { return KeyInfo{Type: "ECDSA", Bits: bits, Score: ecScore(bits)} }

func capStrings(caps []Cap) []string {
	var out []string
	for _, c := range caps {
		out = append(out, c.Grade+": "+c.Reason)
	}
	return out
}

func TestCapsLowestFirst(t *testing.T) {
	caps := []Cap{{"B", "b"}, {"F", "f"}, {"T", "t"}, {"C", "c"}, {"M", "m"}}
	sortCaps(caps)
	var got []string
	for _, c := range caps {
		got = append(got, c.Grade)
	}
	if strings.Join(got, "") != "MTFCB" {
		t.Errorf("order %v", got)
	}
}

func TestScores(t *testing.T) {
	for _, tt := range []struct{ bits, ff, ec int }{
		{256, 40, 100}, {511, 40, 100}, {512, 40, 100}, {109, 20, 20}, {110, 20, 40}, {122, 20, 40},
		{123, 20, 80}, {162, 20, 80}, {163, 20, 90}, {224, 20, 90}, {225, 20, 100}, {1023, 40, 100},
		{1024, 80, 100}, {2047, 80, 100}, {2048, 90, 100}, {4095, 90, 100}, {4096, 100, 100},
	} {
		ff := ffScore(tt.bits)
		if tt.bits < 512 {
			tt.ff = 20
		}
		if ff != tt.ff || ecScore(tt.bits) != tt.ec {
			t.Errorf("%d bits: ff %d ec %d, want %d %d", tt.bits, ff, ecScore(tt.bits), tt.ff, tt.ec)
		}
	}
	for bits, want := range map[int]int{0: 0, 40: 20, 112: 20, 127: 20, 128: 80, 255: 80, 256: 100} {
		if got := bitsScore(bits); got != want {
			t.Errorf("bitsScore(%d) = %d, want %d", bits, got, want)
		}
	}
	for _, tt := range []struct {
		offered []uint16
		want    int
	}{
		{[]uint16{VersionTLS12, VersionTLS13}, 100},
		{[]uint16{VersionTLS11, VersionTLS12}, 97},
		{[]uint16{VersionTLS10, VersionTLS13}, 95},
		{[]uint16{VersionSSL3, VersionTLS12}, 90},
		{[]uint16{VersionSSL2, VersionTLS12}, 50},
		{[]uint16{VersionSSL2}, 0},
		{nil, 0},
	} {
		o := map[uint16]bool{}
		for _, v := range tt.offered {
			o[v] = true
		}
		if got := protocolScore(o); got != tt.want {
			t.Errorf("protocolScore(%v) = %d, want %d", tt.offered, got, tt.want)
		}
	}
}

func TestAtLeast(t *testing.T) {
	order := []string{"A+", "A", "A-", "B", "C", "D", "E", "F"}
	for i, got := range order {
		for j, min := range order {
			if AtLeast(got, min) != (i <= j) {
				t.Errorf("AtLeast(%s, %s) = %v", got, min, !(i <= j))
			}
		}
		if AtLeast("T", got) || AtLeast("M", got) {
			t.Errorf("T or M at least %s", got)
		}
	}
	if AtLeast("A+", "Z") || AtLeast("", "F") {
		t.Error("unknown letters compare")
	}
}

// TestCheckMinimum: the letters A+ to F are minimums; T and M are grades
// but not minimums (every grade would pass); anything else is neither.
func TestCheckMinimum(t *testing.T) {
	for _, g := range []string{"A+", "A", "A-", "B", "C", "D", "E", "F"} {
		if err := CheckMinimum(g); err != nil {
			t.Errorf("%s: %v", g, err)
		}
	}
	want := "want one of A+, A, A-, B, C, D, E, F"
	for in, msg := range map[string]string{
		"T": "T ranks below F, so every grade would pass; " + want,
		"M": "M ranks below F, so every grade would pass; " + want,
		"Z": want, "": want, "a+": want, "A+ ": want,
	} {
		if err := CheckMinimum(in); err == nil || err.Error() != msg {
			t.Errorf("%q: %v, want %q", in, err, msg)
		}
	}
	for _, g := range []string{"T", "M"} {
		if !ValidGrade(g) {
			t.Errorf("%s is a grade", g)
		}
	}
}
