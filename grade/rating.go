package grade

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ratingInput is everything the rating is computed from.
type ratingInput struct {
	offered       map[uint16]bool
	suites        []accepted // every protocol
	ssl2          []ssl2Cipher
	serverKeys    []KeyInfo
	sims          []Simulation
	compression   bool
	renegotiation *bool // nil: no TLS 1.2-or-earlier protocol offered
	certCaps      []Cap
	hsts          HSTSResult
}

// rating is the outcome of the rating guide.
type rating struct {
	protocol, keyExchange, cipher, score int
	// keyExchangeMeasured is false when neither a server key nor an
	// ephemeral key size was learnt: keyExchange is then 0, not a claim.
	keyExchangeMeasured bool
	caps                []Cap
	warnings, notes     []string
	grade               string
}

// rate applies SSL Labs' SSL Server Rating Guide 2009r.
func rate(in ratingInput) rating {
	var r rating
	r.protocol = protocolScore(in.offered)
	r.cipher = cipherScore(in.suites, in.ssl2)
	var kxCaps []Cap
	r.keyExchange, r.keyExchangeMeasured, kxCaps = keyExchangeScore(in)
	if r.protocol > 0 && r.keyExchange > 0 && r.cipher > 0 {
		r.score = r.protocol*30/100 + r.keyExchange*30/100 + r.cipher*40/100
	}
	r.caps = append(r.caps, in.certCaps...)
	r.caps = append(r.caps, protocolCaps(in)...)
	r.caps = append(r.caps, suiteCaps(in)...)
	r.caps = append(r.caps, kxCaps...)
	simCaps, simNotes := clientCaps(in)
	r.caps = append(r.caps, simCaps...)
	r.notes = append(r.notes, simNotes...)
	if in.compression {
		r.caps = append(r.caps, Cap{"C", "TLS compression accepted (CRIME)"})
	}
	sortCaps(r.caps)
	r.warnings, r.notes = warnings(in, r.notes)
	r.grade = letter(r.score, r.caps, r.warnings, in.hsts)
	return r
}

// letter turns the score, caps and warnings into the grade.
func letter(score int, caps []Cap, warnings []string, hsts HSTSResult) string {
	for _, special := range []string{"M", "T"} {
		if slices.ContainsFunc(caps, func(c Cap) bool { return c.Grade == special }) {
			return special
		}
	}
	g := scoreLetter(score)
	if len(caps) > 0 {
		if worst := caps[0].Grade; letterRank[worst] > letterRank[g] {
			g = worst
		}
		return g
	}
	if g != "A" {
		return g
	}
	if len(warnings) > 0 {
		return "A-"
	}
	if hsts.Present && hsts.Problem == "" {
		return "A+"
	}
	return "A"
}

func scoreLetter(score int) string {
	switch {
	case score >= 80:
		return "A"
	case score >= 65:
		return "B"
	case score >= 50:
		return "C"
	case score >= 35:
		return "D"
	case score >= 20:
		return "E"
	}
	return "F"
}

// sortCaps puts the lowest cap first, M and T before letters.
func sortCaps(caps []Cap) {
	rank := func(g string) int {
		switch g {
		case "M":
			return 100
		case "T":
			return 99
		}
		return letterRank[g]
	}
	sort.SliceStable(caps, func(i, j int) bool { return rank(caps[i].Grade) > rank(caps[j].Grade) })
}

var protocolPoints = map[uint16]int{
	VersionSSL2: 0, VersionSSL3: 80, VersionTLS10: 90, VersionTLS11: 95, VersionTLS12: 100, VersionTLS13: 100,
}

// allVersions lists protocols from oldest to newest.
var allVersions = []uint16{VersionSSL2, VersionSSL3, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}

// protocolScore is (best + worst protocol offered) / 2.
func protocolScore(offered map[uint16]bool) int {
	best, worst := -1, -1
	for _, v := range allVersions {
		if !offered[v] {
			continue
		}
		if worst < 0 {
			worst = protocolPoints[v]
		}
		best = protocolPoints[v]
	}
	if best < 0 {
		return 0
	}
	return (best + worst) / 2
}

// bitsScore scores a cipher strength: 0 bits 0, < 128 20, < 256 80, else 100.
func bitsScore(bits int) int {
	switch {
	case bits <= 0:
		return 0
	case bits < 128:
		return 20
	case bits < 256:
		return 80
	}
	return 100
}

// cipherScore is (strongest + weakest cipher offered) / 2.
func cipherScore(suites []accepted, ssl2 []ssl2Cipher) int {
	var bits []int
	for _, s := range suites {
		bits = append(bits, s.Bits)
	}
	for _, c := range ssl2 {
		bits = append(bits, c.Bits)
	}
	if len(bits) == 0 {
		return 0
	}
	return (bitsScore(slices.Max(bits)) + bitsScore(slices.Min(bits))) / 2
}

// keyExchangeScore is the weakest of the server keys and the ephemeral
// keys: DH groups (TLS 1.2 DHE and TLS 1.3 ffdhe), ECDHE groups and export
// RSA keys; anonymous key exchange scores 0. The caps on the server key are
// returned with it; the weak-DH caps go by the simulated clients. When
// nothing was measured (no certificate read and no ephemeral size) the
// score is 0 and measured false: the category is not claimed.
func keyExchangeScore(in ratingInput) (score int, measured bool, caps []Cap) {
	score = 100
	for _, k := range in.serverKeys {
		score, measured = min(score, k.Score), true
		if c, ok := keyCap(k); ok {
			caps = append(caps, c)
		}
	}
	for _, s := range in.suites {
		if s.kex.dhBits > 0 {
			score, measured = min(score, ffScore(s.kex.dhBits)), true
		}
		if s.kex.rsaBits > 0 {
			score, measured = min(score, ffScore(s.kex.rsaBits)), true
		}
		if g := LookupGroup(s.kex.group); s.kex.group != 0 && g.Bits > 0 {
			score, measured = min(score, groupScore(g)), true
		}
		if s.Anonymous() {
			score, measured = 0, true
		}
	}
	if !measured {
		return 0, false, caps
	}
	return score, true, caps
}

// groupScore scores a named group: finite-field groups as DH, the others
// by their curve (the classical part of a hybrid).
func groupScore(g Group) int {
	if g.FFDHE {
		return ffScore(g.Bits)
	}
	return ecScore(g.Bits)
}

// keyCap is the cap a weak server key brings: F for a key scoring 40 or
// less, B for 80. The reason gives the size that scores so for the key's
// type: 1024 and 2048 bits for RSA and DSA, 123 and 163 bits for EC keys
// (ecScore).
func keyCap(k KeyInfo) (Cap, bool) {
	insecure, weak := 1024, 2048
	if k.Type == "ECDSA" || k.Type == "Ed25519" {
		insecure, weak = 123, 163
	}
	switch {
	case k.Score <= 40:
		return Cap{"F", fmt.Sprintf("server key %s %d bits is insecure (under %d bits)", k.Type, k.Bits, insecure)}, true
	case k.Score <= 80:
		return Cap{"B", fmt.Sprintf("server key %s %d bits is weak (under %d bits)", k.Type, k.Bits, weak)}, true
	}
	return Cap{}, false
}

// protocolCaps are the caps protocols alone bring.
func protocolCaps(in ratingInput) []Cap {
	var caps []Cap
	o := in.offered
	if o[VersionSSL2] {
		caps = append(caps, Cap{"F", "SSL 2.0 offered"})
	}
	if o[VersionSSL3] {
		if !o[VersionTLS10] && !o[VersionTLS11] && !o[VersionTLS12] && !o[VersionTLS13] {
			caps = append(caps, Cap{"F", "SSL 3.0 is the best protocol offered"})
		}
		caps = append(caps, Cap{"B", "SSL 3.0 offered"})
		if slices.ContainsFunc(in.suites, func(a accepted) bool { return a.version == VersionSSL3 && a.CBC() }) {
			caps = append(caps, Cap{"C", "SSL 3.0 with CBC suites: vulnerable to POODLE"})
		}
	}
	if o[VersionTLS10] {
		caps = append(caps, Cap{"B", "TLS 1.0 offered"})
	}
	if o[VersionTLS11] {
		caps = append(caps, Cap{"B", "TLS 1.1 offered"})
	}
	if !o[VersionTLS12] && !o[VersionTLS13] {
		caps = append(caps, Cap{"C", "neither TLS 1.2 nor TLS 1.3 offered"})
	}
	return caps
}

// suiteCaps are the caps offered suites bring whatever clients choose.
func suiteCaps(in ratingInput) []Cap {
	var export, weak, anon, rc4, rc4new []string
	for _, s := range in.suites {
		switch {
		case s.Export:
			export = append(export, s.OpenSSL)
		case s.Bits < 112:
			weak = append(weak, fmt.Sprintf("%s (%d bits)", s.OpenSSL, s.Bits))
		}
		if s.Anonymous() {
			anon = append(anon, s.OpenSSL)
		}
		if s.RC4() {
			rc4 = append(rc4, s.OpenSSL)
			if s.version >= VersionTLS11 {
				rc4new = append(rc4new, s.OpenSSL+" in "+VersionName(s.version))
			}
		}
	}
	for _, c := range in.ssl2 {
		if c.Export {
			export = append(export, c.OpenSSL+" (SSL 2.0)")
		}
	}
	var caps []Cap
	add := func(grade, what string, names []string) {
		if len(names) > 0 {
			caps = append(caps, Cap{grade, what + ": " + strings.Join(uniq(names), ", ")})
		}
	}
	add("F", "export suites offered", export)
	add("F", "suites under 112 bits offered", weak)
	add("F", "anonymous suites offered (no authentication)", anon)
	add("C", "RC4 offered with TLS 1.1 or later", rc4new)
	add("B", "RC4 offered", rc4)
	return caps
}

func uniq(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
