package grade

import (
	"encoding/json"
	"testing"
)

// TestFindingJSONShape: grade's findings have verify --json's shape: cert
// null and subject empty for the chain as a whole, the index and subject
// for a certificate sent; reading the JSON back gives the same findings.
func TestFindingJSONShape(t *testing.T) {
	findings := []Finding{
		{ID: "negotiated", Severity: "info", Cert: -1, Message: "TLS 1.3"},
		{ID: "expires-soon", Severity: "warning", Cert: 1, Subject: "CN=Example Intermediate", Message: "soon"},
	}
	got, err := json.Marshal(findings)
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"id":"negotiated","severity":"info","cert":null,"subject":"","message":"TLS 1.3"},` +
		`{"id":"expires-soon","severity":"warning","cert":1,"subject":"CN=Example Intermediate","message":"soon"}]`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
	var back []Finding
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0] != findings[0] || back[1] != findings[1] {
		t.Errorf("read back %+v, want %+v", back, findings)
	}
}
