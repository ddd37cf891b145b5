package grade

import (
	"encoding/json"

	"github.com/chaintool/chaintool/bundle"
)

// Protocol says whether one protocol version is offered.
type Protocol struct {
	Name    string `json:"name"`    // "TLS 1.3"
	Offered bool   `json:"offered"` // a handshake in it succeeded
}

// SuiteResult is one cipher suite a server accepted in one protocol.
type SuiteResult struct {
	Protocol       string `json:"protocol"`     // "TLS 1.2"
	ID             string `json:"id"`           // "0xC02F"
	Name           string `json:"name"`         // IANA name
	OpenSSL        string `json:"openssl_name"` // OpenSSL name
	KeyExchange    string `json:"key_exchange"` // RSA, DH, ECDH, DHE, ECDHE, any
	Authentication string `json:"auth"`         // RSA, DSS, ECDSA, anon, any
	Cipher         string `json:"cipher"`       // AES-GCM, 3DES-CBC, ...
	Bits           int    `json:"bits"`         // strength (3DES = 112)
	ForwardSecrecy bool   `json:"forward_secrecy"`
	AEAD           bool   `json:"aead"`
	Export         bool   `json:"export,omitempty"`
	DHBits         int    `json:"dh_bits,omitempty"` // DHE: size of the server's group
	Group          string `json:"group,omitempty"`   // ECDHE/TLS 1.3: group the server chose
}

// KeyInfo describes a public key.
type KeyInfo struct {
	Type  string `json:"type"`  // RSA, ECDSA, Ed25519, DSA
	Bits  int    `json:"bits"`  // modulus or curve size
	Score int    `json:"score"` // key exchange score the guide gives it
}

// KeyExchangeResult gathers what the key exchange category is made of.
type KeyExchangeResult struct {
	// ServerKeys are the certificate keys seen (more than one when the
	// server has, say, an RSA and an ECDSA certificate).
	ServerKeys []KeyInfo `json:"server_keys"`
	// DHBits lists the finite-field group sizes seen, smallest first: TLS
	// 1.2 DHE groups and TLS 1.3 ffdhe groups the server chose.
	DHBits []int `json:"dh_bits"`
	// GroupsTLS13 and GroupsTLS12 are the named groups accepted.
	GroupsTLS13 []string `json:"groups_tls13"`
	GroupsTLS12 []string `json:"groups_tls12"`
	// SecureRenegotiation is null when no TLS 1.2-or-earlier protocol is
	// offered (TLS 1.3 has no renegotiation).
	SecureRenegotiation *bool `json:"secure_renegotiation"`
	// Compression is true when the server accepted TLS compression (CRIME).
	Compression    bool `json:"compression"`
	ForwardSecrecy bool `json:"forward_secrecy"` // some suite with FS is offered
	AEAD           bool `json:"aead"`            // some AEAD suite is offered
}

// Simulation is what one simulated client negotiated.
type Simulation struct {
	Client         string `json:"client"`
	Protocol       string `json:"protocol,omitempty"`
	Suite          string `json:"suite,omitempty"`
	OpenSSL        string `json:"openssl_name,omitempty"`
	Group          string `json:"group,omitempty"`
	DHBits         int    `json:"dh_bits,omitempty"`
	ForwardSecrecy bool   `json:"forward_secrecy"`
	AEAD           bool   `json:"aead"`
	Error          string `json:"error,omitempty"` // why no handshake

	suite   Suite
	version uint16
}

// CertSummary is one certificate of the chain the server sent.
type CertSummary struct {
	bundle.CertFacts
	Key       KeyInfo  `json:"key"`
	Signature string   `json:"signature"`
	DNSNames  []string `json:"dns_names,omitempty"`
	// IPAddresses are the IP address SANs, as text ("127.0.0.1", "::1").
	IPAddresses []string `json:"ip_addresses,omitempty"`
}

// Finding is one of the verify package's findings on the chain. In JSON
// it has verify --json's shape: cert is null, and subject empty, when the
// finding concerns the chain as a whole.
type Finding struct {
	ID       string
	Severity string
	// Cert is the index in the chain sent, -1 for none.
	Cert int
	// Subject is the subject of the certificate concerned, if any.
	Subject string
	Message string
}

// findingJSON is Finding on the wire.
type findingJSON struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Cert     *int   `json:"cert"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
}

// MarshalJSON writes cert as null when the finding concerns no certificate sent.
func (f Finding) MarshalJSON() ([]byte, error) {
	w := findingJSON{ID: f.ID, Severity: f.Severity, Subject: f.Subject, Message: f.Message}
	if f.Cert >= 0 {
		w.Cert = &f.Cert
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Finding) UnmarshalJSON(b []byte) error {
	var w findingJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Finding{ID: w.ID, Severity: w.Severity, Cert: -1, Subject: w.Subject, Message: w.Message}
	if w.Cert != nil {
		f.Cert = *w.Cert
	}
	return nil
}

// CertificateResult is the chain presented and what verify found.
type CertificateResult struct {
	Chain []CertSummary `json:"chain"`
	// Trusted: a path from the chain sent (completed through AIA when
	// asked) reaches a trusted root at the time judged.
	Trusted  bool      `json:"trusted"`
	Findings []Finding `json:"findings"`
	// Protocol and Suite are what a default crypto/tls client negotiated.
	Protocol string `json:"protocol"`
	Suite    string `json:"suite"`
}

// HSTSResult is the Strict-Transport-Security header of the first response.
type HSTSResult struct {
	Checked           bool   `json:"checked"` // an HTTP response was read
	Status            int    `json:"http_status,omitempty"`
	Present           bool   `json:"present"`
	Header            string `json:"header,omitempty"`
	MaxAge            int64  `json:"max_age"` // seconds; -1 when missing or malformed
	IncludeSubDomains bool   `json:"include_subdomains"`
	Preload           bool   `json:"preload"`
	// Problem is empty when the header earns A+, else why not.
	Problem string `json:"problem,omitempty"`
}
