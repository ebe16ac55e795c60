package kycsharing_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect/kycsharing"
)

type vector struct {
	Timestamp string            `json:"timestamp"`
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Body      json.RawMessage   `json:"body"`
	Form      map[string]string `json:"form_fields_without_file"`
	Secret    string            `json:"secret"`
	Canonical string            `json:"canonical_body"`
	String    string            `json:"string_to_sign"`
	Sign      string            `json:"sign"`
}

func loadVectors(t *testing.T) (vector, vector) {
	b, err := os.ReadFile("../../../../shared/vectors/signatures.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared vectors not beside the checkout")
	}
	require.NoError(t, err)
	var all struct {
		JSON vector `json:"kyc_sharing_hmac"`
		Form vector `json:"kyc_sharing_hmac_multipart"`
	}
	require.NoError(t, json.Unmarshal(b, &all))
	return all.JSON, all.Form
}

func TestSignVectors(t *testing.T) {
	t.Parallel()
	j, f := loadVectors(t)
	canon, err := kycsharing.Canonical(j.Body)
	require.NoError(t, err)
	require.Equal(t, j.Canonical, canon)
	require.Equal(t, j.String, j.Timestamp+j.Method+j.Path+canon)
	require.Equal(t, j.Sign, kycsharing.Sign(j.Secret, j.Timestamp, j.Method, j.Path, canon))
	fc := kycsharing.FormCanonical(f.Form)
	require.Equal(t, f.String, f.Timestamp+f.Method+f.Path+fc)
	require.Equal(t, f.Sign, kycsharing.Sign(f.Secret, f.Timestamp, f.Method, f.Path, fc))
}

// A fixed vector kept in the repository too (same inputs as the shared
// multipart vector, computed independently).
func TestSignFormVectorInline(t *testing.T) {
	t.Parallel()
	fc := kycsharing.FormCanonical(map[string]string{"requestNo": "REQ-0001", "type": "idFront"})
	require.Equal(t, `{"requestNo":"REQ-0001","type":"idFront"}`, fc)
	require.Equal(t, "GwjZaMdp0/Lc6S1zxeXC4AevQwX/rOzrinuOWzAe+1s=", kycsharing.Sign("ks-test-secret-91bd", "1732988442913", "POST", "/open/api/kyc/share/fileUpload", fc))
}
