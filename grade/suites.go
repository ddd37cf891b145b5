package grade

import "fmt"

// Protocol versions as they appear on the wire.
const (
	VersionSSL2  uint16 = 0x0002
	VersionSSL3  uint16 = 0x0300
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// VersionName returns "SSL 2.0" ... "TLS 1.3" for a wire version.
func VersionName(v uint16) string {
	switch v {
	case VersionSSL2:
		return "SSL 2.0"
	case VersionSSL3:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// Key exchange of a cipher suite.
const (
	kxRSA   = "RSA"   // static RSA key transport: no forward secrecy
	kxDH    = "DH"    // static Diffie-Hellman from the certificate
	kxECDH  = "ECDH"  // static ECDH from the certificate
	kxDHE   = "DHE"   // ephemeral finite-field Diffie-Hellman
	kxECDHE = "ECDHE" // ephemeral elliptic-curve Diffie-Hellman
	kxAny   = "any"   // TLS 1.3: negotiated separately, always ephemeral
)

// Authentication of a cipher suite.
const (
	auRSA   = "RSA"
	auDSS   = "DSS"
	auECDSA = "ECDSA"
	auAnon  = "anon" // none at all: anyone in the middle can impersonate
	auAny   = "any"  // TLS 1.3
)

// Bulk ciphers.
const (
	encNULL     = "NULL"
	encRC4      = "RC4"
	encRC2      = "RC2-CBC"
	encDES      = "DES-CBC"
	enc3DES     = "3DES-CBC"
	encIDEA     = "IDEA-CBC"
	encSEED     = "SEED-CBC"
	encAESCBC   = "AES-CBC"
	encAESGCM   = "AES-GCM"
	encAESCCM   = "AES-CCM"
	encAESCCM8  = "AES-CCM8"
	encCamellia = "CAMELLIA-CBC"
	encARIACBC  = "ARIA-CBC"
	encARIAGCM  = "ARIA-GCM"
	encChaCha   = "CHACHA20-POLY1305"
)

// Suite is one cipher suite of the IANA registry, with what a grade needs
// to know about it.
type Suite struct {
	ID      uint16
	Name    string // IANA name, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	OpenSSL string // OpenSSL name, ECDHE-RSA-AES128-GCM-SHA256
	Kx      string // key exchange: RSA, DH, ECDH, DHE, ECDHE, any
	Auth    string // RSA, DSS, ECDSA, anon, any
	Cipher  string // bulk cipher: AES-GCM, 3DES-CBC, RC4, NULL ...
	Bits    int    // effective strength as SSL Labs counts it (3DES = 112)
	// MinVersion is the first protocol the suite exists in: SSL 3.0 for
	// the old ones, TLS 1.2 for SHA-256 and AEAD suites, TLS 1.3.
	MinVersion uint16
	Export     bool
}

// AEAD reports an authenticated-encryption cipher (GCM, CCM, ChaCha20).
func (s Suite) AEAD() bool {
	switch s.Cipher {
	case encAESGCM, encAESCCM, encAESCCM8, encARIAGCM, encChaCha:
		return true
	}
	return false
}

// ForwardSecret reports an ephemeral, authenticated key exchange.
func (s Suite) ForwardSecret() bool {
	return (s.Kx == kxDHE || s.Kx == kxECDHE || s.Kx == kxAny) && s.Auth != auAnon
}

// Anonymous reports a suite without server authentication.
func (s Suite) Anonymous() bool { return s.Auth == auAnon }

// RC4 reports the RC4 stream cipher.
func (s Suite) RC4() bool { return s.Cipher == encRC4 }

// SmallBlock reports a 64-bit block cipher (3DES, DES, IDEA, RC2): Sweet32.
func (s Suite) SmallBlock() bool {
	switch s.Cipher {
	case enc3DES, encDES, encIDEA, encRC2:
		return true
	}
	return false
}

// CBC reports a CBC-mode block cipher.
func (s Suite) CBC() bool {
	switch s.Cipher {
	case encRC2, encDES, enc3DES, encIDEA, encSEED, encAESCBC, encCamellia, encARIACBC:
		return true
	}
	return false
}

// String returns the IANA name.
func (s Suite) String() string { return s.Name }

// suiteTable is every suite the probes offer: the IANA registry minus
// PSK, SRP, Kerberos and GOST suites, which no server negotiates without a
// shared secret or a national profile.
var suiteTable = []Suite{
	// TLS 1.3
	{0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", kxAny, auAny, encAESGCM, 128, VersionTLS13, false},
	{0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", kxAny, auAny, encAESGCM, 256, VersionTLS13, false},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", kxAny, auAny, encChaCha, 256, VersionTLS13, false},
	{0x1304, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", kxAny, auAny, encAESCCM, 128, VersionTLS13, false},
	{0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", kxAny, auAny, encAESCCM8, 128, VersionTLS13, false},

	// ECDHE with AEAD
	{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", kxECDHE, auECDSA, encAESGCM, 128, VersionTLS12, false},
	{0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", kxECDHE, auECDSA, encAESGCM, 256, VersionTLS12, false},
	{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", kxECDHE, auRSA, encAESGCM, 128, VersionTLS12, false},
	{0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", kxECDHE, auRSA, encAESGCM, 256, VersionTLS12, false},
	{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", kxECDHE, auRSA, encChaCha, 256, VersionTLS12, false},
	{0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", kxECDHE, auECDSA, encChaCha, 256, VersionTLS12, false},
	{0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", kxECDHE, auECDSA, encAESCCM, 128, VersionTLS12, false},
	{0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", kxECDHE, auECDSA, encAESCCM, 256, VersionTLS12, false},
	{0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", kxECDHE, auECDSA, encAESCCM8, 128, VersionTLS12, false},
	{0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", kxECDHE, auECDSA, encAESCCM8, 256, VersionTLS12, false},
	{0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", kxECDHE, auECDSA, encARIAGCM, 128, VersionTLS12, false},
	{0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", kxECDHE, auECDSA, encARIAGCM, 256, VersionTLS12, false},
	{0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", kxECDHE, auRSA, encARIAGCM, 128, VersionTLS12, false},
	{0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", kxECDHE, auRSA, encARIAGCM, 256, VersionTLS12, false},

	// ECDHE with CBC
	{0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", kxECDHE, auECDSA, encAESCBC, 128, VersionTLS12, false},
	{0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", kxECDHE, auECDSA, encAESCBC, 256, VersionTLS12, false},
	{0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", kxECDHE, auRSA, encAESCBC, 128, VersionTLS12, false},
	{0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", kxECDHE, auRSA, encAESCBC, 256, VersionTLS12, false},
	{0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", kxECDHE, auECDSA, encAESCBC, 128, VersionTLS10, false},
	{0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", kxECDHE, auECDSA, encAESCBC, 256, VersionTLS10, false},
	{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", kxECDHE, auRSA, encAESCBC, 128, VersionTLS10, false},
	{0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", kxECDHE, auRSA, encAESCBC, 256, VersionTLS10, false},
	{0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", kxECDHE, auECDSA, encCamellia, 128, VersionTLS12, false},
	{0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", kxECDHE, auECDSA, encCamellia, 256, VersionTLS12, false},
	{0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", kxECDHE, auRSA, encCamellia, 128, VersionTLS12, false},
	{0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", kxECDHE, auRSA, encCamellia, 256, VersionTLS12, false},
	{0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", "ECDHE-ECDSA-ARIA128-CBC-SHA256", kxECDHE, auECDSA, encARIACBC, 128, VersionTLS12, false},
	{0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", "ECDHE-ECDSA-ARIA256-CBC-SHA384", kxECDHE, auECDSA, encARIACBC, 256, VersionTLS12, false},
	{0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", "ECDHE-RSA-ARIA128-CBC-SHA256", kxECDHE, auRSA, encARIACBC, 128, VersionTLS12, false},
	{0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", "ECDHE-RSA-ARIA256-CBC-SHA384", kxECDHE, auRSA, encARIACBC, 256, VersionTLS12, false},
	{0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", kxECDHE, auECDSA, enc3DES, 112, VersionTLS10, false},
	{0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", kxECDHE, auRSA, enc3DES, 112, VersionTLS10, false},
	{0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", kxECDHE, auECDSA, encRC4, 128, VersionTLS10, false},
	{0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", kxECDHE, auRSA, encRC4, 128, VersionTLS10, false},
	{0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", kxECDHE, auECDSA, encNULL, 0, VersionTLS10, false},
	{0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", kxECDHE, auRSA, encNULL, 0, VersionTLS10, false},

	// DHE
	{0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", kxDHE, auRSA, encAESGCM, 128, VersionTLS12, false},
	{0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", kxDHE, auRSA, encAESGCM, 256, VersionTLS12, false},
	{0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", kxDHE, auDSS, encAESGCM, 128, VersionTLS12, false},
	{0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", kxDHE, auDSS, encAESGCM, 256, VersionTLS12, false},
	{0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", kxDHE, auRSA, encChaCha, 256, VersionTLS12, false},
	{0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", kxDHE, auRSA, encAESCCM, 128, VersionTLS12, false},
	{0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", kxDHE, auRSA, encAESCCM, 256, VersionTLS12, false},
	{0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", kxDHE, auRSA, encAESCCM8, 128, VersionTLS12, false},
	{0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", kxDHE, auRSA, encAESCCM8, 256, VersionTLS12, false},
	{0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", kxDHE, auRSA, encARIAGCM, 128, VersionTLS12, false},
	{0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", kxDHE, auRSA, encARIAGCM, 256, VersionTLS12, false},
	{0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", kxDHE, auDSS, encARIAGCM, 128, VersionTLS12, false},
	{0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", kxDHE, auDSS, encARIAGCM, 256, VersionTLS12, false},
	{0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", kxDHE, auRSA, encAESCBC, 128, VersionSSL3, false},
	{0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", kxDHE, auRSA, encAESCBC, 256, VersionSSL3, false},
	{0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", kxDHE, auDSS, encAESCBC, 128, VersionSSL3, false},
	{0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", kxDHE, auDSS, encAESCBC, 256, VersionSSL3, false},
	{0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", kxDHE, auRSA, encAESCBC, 128, VersionTLS12, false},
	{0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", kxDHE, auRSA, encAESCBC, 256, VersionTLS12, false},
	{0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", kxDHE, auDSS, encAESCBC, 128, VersionTLS12, false},
	{0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", kxDHE, auDSS, encAESCBC, 256, VersionTLS12, false},
	{0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", kxDHE, auRSA, encCamellia, 128, VersionSSL3, false},
	{0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", kxDHE, auRSA, encCamellia, 256, VersionSSL3, false},
	{0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", kxDHE, auDSS, encCamellia, 128, VersionSSL3, false},
	{0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", kxDHE, auDSS, encCamellia, 256, VersionSSL3, false},
	{0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", kxDHE, auRSA, encCamellia, 128, VersionTLS12, false},
	{0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", kxDHE, auRSA, encCamellia, 256, VersionTLS12, false},
	{0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", kxDHE, auDSS, encCamellia, 128, VersionTLS12, false},
	{0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", kxDHE, auDSS, encCamellia, 256, VersionTLS12, false},
	{0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", "DHE-RSA-ARIA128-CBC-SHA256", kxDHE, auRSA, encARIACBC, 128, VersionTLS12, false},
	{0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", "DHE-RSA-ARIA256-CBC-SHA384", kxDHE, auRSA, encARIACBC, 256, VersionTLS12, false},
	{0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", kxDHE, auRSA, encSEED, 128, VersionSSL3, false},
	{0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", kxDHE, auDSS, encSEED, 128, VersionSSL3, false},
	{0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "EDH-RSA-DES-CBC3-SHA", kxDHE, auRSA, enc3DES, 112, VersionSSL3, false},
	{0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA", kxDHE, auDSS, enc3DES, 112, VersionSSL3, false},
	{0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", kxDHE, auRSA, encDES, 56, VersionSSL3, false},
	{0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", kxDHE, auDSS, encDES, 56, VersionSSL3, false},
	{0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", "DHE-DSS-RC4-SHA", kxDHE, auDSS, encRC4, 128, VersionSSL3, false},

	// static RSA key transport
	{0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", kxRSA, auRSA, encAESGCM, 128, VersionTLS12, false},
	{0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", kxRSA, auRSA, encAESGCM, 256, VersionTLS12, false},
	{0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", kxRSA, auRSA, encAESCCM, 128, VersionTLS12, false},
	{0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", kxRSA, auRSA, encAESCCM, 256, VersionTLS12, false},
	{0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", kxRSA, auRSA, encAESCCM8, 128, VersionTLS12, false},
	{0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", kxRSA, auRSA, encAESCCM8, 256, VersionTLS12, false},
	{0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", kxRSA, auRSA, encARIAGCM, 128, VersionTLS12, false},
	{0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", kxRSA, auRSA, encARIAGCM, 256, VersionTLS12, false},
	{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", kxRSA, auRSA, encAESCBC, 128, VersionSSL3, false},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", kxRSA, auRSA, encAESCBC, 256, VersionSSL3, false},
	{0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", kxRSA, auRSA, encAESCBC, 128, VersionTLS12, false},
	{0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", kxRSA, auRSA, encAESCBC, 256, VersionTLS12, false},
	{0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", kxRSA, auRSA, encCamellia, 128, VersionSSL3, false},
	{0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", kxRSA, auRSA, encCamellia, 256, VersionSSL3, false},
	{0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", kxRSA, auRSA, encCamellia, 128, VersionTLS12, false},
	{0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", kxRSA, auRSA, encCamellia, 256, VersionTLS12, false},
	{0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "ARIA128-CBC-SHA256", kxRSA, auRSA, encARIACBC, 128, VersionTLS12, false},
	{0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", "ARIA256-CBC-SHA384", kxRSA, auRSA, encARIACBC, 256, VersionTLS12, false},
	{0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", kxRSA, auRSA, encSEED, 128, VersionSSL3, false},
	{0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", kxRSA, auRSA, encIDEA, 128, VersionSSL3, false},
	{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", kxRSA, auRSA, enc3DES, 112, VersionSSL3, false},
	{0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", kxRSA, auRSA, encDES, 56, VersionSSL3, false},
	{0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", kxRSA, auRSA, encRC4, 128, VersionSSL3, false},
	{0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", kxRSA, auRSA, encRC4, 128, VersionSSL3, false},
	{0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", kxRSA, auRSA, encNULL, 0, VersionSSL3, false},
	{0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", kxRSA, auRSA, encNULL, 0, VersionSSL3, false},
	{0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", kxRSA, auRSA, encNULL, 0, VersionTLS12, false},

	// static (EC)DH from the certificate
	{0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA-AES128-GCM-SHA256", kxECDH, auECDSA, encAESGCM, 128, VersionTLS12, false},
	{0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA-AES256-GCM-SHA384", kxECDH, auECDSA, encAESGCM, 256, VersionTLS12, false},
	{0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA-AES128-GCM-SHA256", kxECDH, auRSA, encAESGCM, 128, VersionTLS12, false},
	{0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA-AES256-GCM-SHA384", kxECDH, auRSA, encAESGCM, 256, VersionTLS12, false},
	{0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA-AES128-SHA", kxECDH, auECDSA, encAESCBC, 128, VersionTLS10, false},
	{0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA", kxECDH, auECDSA, encAESCBC, 256, VersionTLS10, false},
	{0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA", kxECDH, auRSA, encAESCBC, 128, VersionTLS10, false},
	{0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA", kxECDH, auRSA, encAESCBC, 256, VersionTLS10, false},
	{0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA-AES128-SHA256", kxECDH, auECDSA, encAESCBC, 128, VersionTLS12, false},
	{0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA-AES256-SHA384", kxECDH, auECDSA, encAESCBC, 256, VersionTLS12, false},
	{0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA-AES128-SHA256", kxECDH, auRSA, encAESCBC, 128, VersionTLS12, false},
	{0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA-AES256-SHA384", kxECDH, auRSA, encAESCBC, 256, VersionTLS12, false},
	{0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA-DES-CBC3-SHA", kxECDH, auECDSA, enc3DES, 112, VersionTLS10, false},
	{0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA-DES-CBC3-SHA", kxECDH, auRSA, enc3DES, 112, VersionTLS10, false},
	{0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA", kxECDH, auECDSA, encRC4, 128, VersionTLS10, false},
	{0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA-RC4-SHA", kxECDH, auRSA, encRC4, 128, VersionTLS10, false},
	{0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA-NULL-SHA", kxECDH, auECDSA, encNULL, 0, VersionTLS10, false},
	{0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA-NULL-SHA", kxECDH, auRSA, encNULL, 0, VersionTLS10, false},
	{0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA-AES128-GCM-SHA256", kxDH, auRSA, encAESGCM, 128, VersionTLS12, false},
	{0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA-AES256-GCM-SHA384", kxDH, auRSA, encAESGCM, 256, VersionTLS12, false},
	{0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS-AES128-GCM-SHA256", kxDH, auDSS, encAESGCM, 128, VersionTLS12, false},
	{0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS-AES256-GCM-SHA384", kxDH, auDSS, encAESGCM, 256, VersionTLS12, false},
	{0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", kxDH, auRSA, encAESCBC, 128, VersionSSL3, false},
	{0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA-AES256-SHA", kxDH, auRSA, encAESCBC, 256, VersionSSL3, false},
	{0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS-AES128-SHA", kxDH, auDSS, encAESCBC, 128, VersionSSL3, false},
	{0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS-AES256-SHA", kxDH, auDSS, encAESCBC, 256, VersionSSL3, false},
	{0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA-AES128-SHA256", kxDH, auRSA, encAESCBC, 128, VersionTLS12, false},
	{0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA-AES256-SHA256", kxDH, auRSA, encAESCBC, 256, VersionTLS12, false},
	{0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS-AES128-SHA256", kxDH, auDSS, encAESCBC, 128, VersionTLS12, false},
	{0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS-AES256-SHA256", kxDH, auDSS, encAESCBC, 256, VersionTLS12, false},
	{0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA-CAMELLIA128-SHA", kxDH, auRSA, encCamellia, 128, VersionSSL3, false},
	{0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA-CAMELLIA256-SHA", kxDH, auRSA, encCamellia, 256, VersionSSL3, false},
	{0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS-CAMELLIA128-SHA", kxDH, auDSS, encCamellia, 128, VersionSSL3, false},
	{0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS-CAMELLIA256-SHA", kxDH, auDSS, encCamellia, 256, VersionSSL3, false},
	{0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "DH-RSA-SEED-SHA", kxDH, auRSA, encSEED, 128, VersionSSL3, false},
	{0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "DH-DSS-SEED-SHA", kxDH, auDSS, encSEED, 128, VersionSSL3, false},
	{0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA-DES-CBC3-SHA", kxDH, auRSA, enc3DES, 112, VersionSSL3, false},
	{0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA", kxDH, auDSS, enc3DES, 112, VersionSSL3, false},
	{0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA-DES-CBC-SHA", kxDH, auRSA, encDES, 56, VersionSSL3, false},
	{0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS-DES-CBC-SHA", kxDH, auDSS, encDES, 56, VersionSSL3, false},

	// anonymous
	{0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", kxDHE, auAnon, encAESGCM, 128, VersionTLS12, false},
	{0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", kxDHE, auAnon, encAESGCM, 256, VersionTLS12, false},
	{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", kxDHE, auAnon, encAESCBC, 128, VersionSSL3, false},
	{0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", kxDHE, auAnon, encAESCBC, 256, VersionSSL3, false},
	{0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", kxDHE, auAnon, encAESCBC, 128, VersionTLS12, false},
	{0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", kxDHE, auAnon, encAESCBC, 256, VersionTLS12, false},
	{0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", kxDHE, auAnon, encCamellia, 128, VersionSSL3, false},
	{0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", kxDHE, auAnon, encCamellia, 256, VersionSSL3, false},
	{0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", kxDHE, auAnon, encCamellia, 128, VersionTLS12, false},
	{0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", kxDHE, auAnon, encCamellia, 256, VersionTLS12, false},
	{0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", kxDHE, auAnon, encSEED, 128, VersionSSL3, false},
	{0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", kxDHE, auAnon, enc3DES, 112, VersionSSL3, false},
	{0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", kxDHE, auAnon, encDES, 56, VersionSSL3, false},
	{0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", kxDHE, auAnon, encRC4, 128, VersionSSL3, false},
	{0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", kxECDHE, auAnon, encAESCBC, 128, VersionTLS10, false},
	{0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", kxECDHE, auAnon, encAESCBC, 256, VersionTLS10, false},
	{0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", kxECDHE, auAnon, enc3DES, 112, VersionTLS10, false},
	{0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", kxECDHE, auAnon, encRC4, 128, VersionTLS10, false},
	{0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", kxECDHE, auAnon, encNULL, 0, VersionTLS10, false},

	// export grade
	{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", kxRSA, auRSA, encRC4, 40, VersionSSL3, true},
	{0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", kxRSA, auRSA, encRC2, 40, VersionSSL3, true},
	{0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", kxRSA, auRSA, encDES, 40, VersionSSL3, true},
	{0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-DSS-DES-CBC-SHA", kxDH, auDSS, encDES, 40, VersionSSL3, true},
	{0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-RSA-DES-CBC-SHA", kxDH, auRSA, encDES, 40, VersionSSL3, true},
	{0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", kxDHE, auDSS, encDES, 40, VersionSSL3, true},
	{0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", kxDHE, auRSA, encDES, 40, VersionSSL3, true},
	{0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", kxDHE, auAnon, encRC4, 40, VersionSSL3, true},
	{0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", kxDHE, auAnon, encDES, 40, VersionSSL3, true},
	{0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DES-CBC-SHA", kxRSA, auRSA, encDES, 56, VersionSSL3, true},
	{0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DHE-DSS-DES-CBC-SHA", kxDHE, auDSS, encDES, 56, VersionSSL3, true},
	{0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-RC4-SHA", kxRSA, auRSA, encRC4, 56, VersionSSL3, true},
	{0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-DHE-DSS-RC4-SHA", kxDHE, auDSS, encRC4, 56, VersionSSL3, true},
}

// scsvRenegotiation is TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
const scsvRenegotiation uint16 = 0x00FF

// suiteIndex is each suite's place in suiteTable: how LookupSuite finds
// it, and the stable order suites are listed in.
var suiteIndex = func() map[uint16]int {
	m := make(map[uint16]int, len(suiteTable))
	for i, s := range suiteTable {
		m[s.ID] = i
	}
	return m
}()

// LookupSuite returns the suite with the given IANA id; unknown ids get a
// placeholder named after the number.
func LookupSuite(id uint16) (Suite, bool) {
	i, ok := suiteIndex[id]
	if !ok {
		name := fmt.Sprintf("0x%04X", id)
		return Suite{ID: id, Name: name, OpenSSL: name}, false
	}
	return suiteTable[i], true
}

// suitesFor returns the ids of every suite that exists in protocol v, in
// table order (strong first).
func suitesFor(v uint16) []uint16 {
	var out []uint16
	for _, s := range suiteTable {
		if v == VersionTLS13 {
			if s.MinVersion == VersionTLS13 {
				out = append(out, s.ID)
			}
			continue
		}
		if s.MinVersion <= v && s.MinVersion != VersionTLS13 {
			out = append(out, s.ID)
		}
	}
	return out
}

// SSL 2.0 cipher specs (three bytes each).
type ssl2Cipher struct {
	ID      uint32
	Name    string
	OpenSSL string
	Bits    int
	Export  bool
}

var ssl2Ciphers = []ssl2Cipher{
	{0x010080, "SSL_CK_RC4_128_WITH_MD5", "RC4-MD5", 128, false},
	{0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "EXP-RC4-MD5", 40, true},
	{0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", "RC2-CBC-MD5", 128, false},
	{0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", "EXP-RC2-CBC-MD5", 40, true},
	{0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", "IDEA-CBC-MD5", 128, false},
	{0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", "DES-CBC-MD5", 56, false},
	{0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "DES-CBC3-MD5", 112, false},
}
