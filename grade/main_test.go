package grade

import (
	"os"
	"testing"
)

// TestMain removes the PKI folder the real-server tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	if pkiData != nil {
		_ = os.RemoveAll(pkiData.dir)
	}
	os.Exit(code)
}
