package cardbinding_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/dialect/cardbinding"
)

type vectors struct {
	PrivatePEM string `json:"test_rsa_private_key_pkcs8_pem"`
	PublicPEM  string `json:"test_rsa_public_key_pem"`
	Card       struct {
		Headers   map[string]string `json:"headers_without_signature"`
		Body      json.RawMessage   `json:"body"`
		String    string            `json:"string_to_sign"`
		Signature string            `json:"signature"`
	} `json:"card_binding_rsa"`
}

func load(t *testing.T) vectors {
	b, err := os.ReadFile("../../../../shared/vectors/signatures.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared vectors not beside the checkout")
	}
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func TestSignatureVector(t *testing.T) {
	t.Parallel()
	v := load(t)
	s, err := cardbinding.StringToSign(v.Card.Headers, v.Card.Body)
	require.NoError(t, err)
	require.Equal(t, v.Card.String, s)
	priv, err := okcrypto.ParseRSAPrivateKey([]byte(v.PrivatePEM))
	require.NoError(t, err)
	sig, err := cardbinding.Sign(priv, s)
	require.NoError(t, err)
	require.Equal(t, v.Card.Signature, sig, "PKCS #1 v1.5 is deterministic")
	pub, err := okcrypto.ParseRSAPublicKey([]byte(v.PublicPEM))
	require.NoError(t, err)
	require.True(t, cardbinding.Verify(pub, s, v.Card.Signature))
	require.False(t, cardbinding.Verify(pub, s+"&x=1", v.Card.Signature))
	require.False(t, cardbinding.Verify(pub, s, "not base64"))
}

// TestOpenSSLAgrees checks the signature with the OpenSSL command line, an
// implementation independent of Go's.
func TestOpenSSLAgrees(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	v := load(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(key, []byte(v.PrivatePEM), 0o600))
	cmd := exec.Command("openssl", "dgst", "-sha256", "-sign", key, "-binary")
	cmd.Stdin = strings.NewReader(v.Card.String)
	raw, err := cmd.Output()
	require.NoError(t, err)
	b64 := exec.Command("openssl", "base64", "-A")
	b64.Stdin = strings.NewReader(string(raw))
	out, err := b64.Output()
	require.NoError(t, err)
	priv, err := okcrypto.ParseRSAPrivateKey([]byte(v.PrivatePEM))
	require.NoError(t, err)
	sig, err := cardbinding.Sign(priv, v.Card.String)
	require.NoError(t, err)
	require.Equal(t, strings.TrimSpace(string(out)), sig)
}

func TestStringToSignRules(t *testing.T) {
	t.Parallel()
	s, err := cardbinding.StringToSign(map[string]string{"Nonce": "n", "signature": "x", "lang": ""},
		[]byte(`{"b":true,"a":1.50,"c":"","d":null,"e":{"y":"","x":[2,1]},"signature":"s"}`))
	require.NoError(t, err)
	require.Equal(t, `a=1.50&b=true&e={"x":[2,1]}&nonce=n`, s)
	_, err = cardbinding.StringToSign(nil, []byte(`[1]`))
	require.Error(t, err)
}

func FuzzStringToSign(f *testing.F) {
	f.Add([]byte(`{"mc_trade_no":"1","base_info":{"email":"a@b.c"}}`), "a1b2c3d4e5")
	f.Fuzz(func(t *testing.T, body []byte, nonce string) {
		s, err := cardbinding.StringToSign(map[string]string{"nonce": nonce}, body)
		if err != nil {
			return
		}
		again, err := cardbinding.StringToSign(map[string]string{"nonce": nonce}, body)
		require.NoError(t, err)
		require.Equal(t, s, again, "deterministic")
	})
}
