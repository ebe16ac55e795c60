package crypto_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func newKeyring(t *testing.T, dir string, ks crypto.KeyStore) *crypto.Keyring {
	t.Helper()
	mk, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: dir})
	require.NoError(t, err)
	kr, err := crypto.OpenKeyring(context.Background(), mk, ks)
	require.NoError(t, err)
	return kr
}

func TestMasterKeyFileCreatedOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ks := &kyctest.MemKeys{}
	kr1 := newKeyring(t, dir, ks)
	fi, err := os.Stat(filepath.Join(dir, crypto.MasterKeyFileName))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	sealed, err := kr1.Seal([]byte("Jane"), []byte("apl_1"))
	require.NoError(t, err)
	// A restart reads the same master key and data keys.
	kr2 := newKeyring(t, dir, ks)
	pt, err := kr2.Open(sealed, []byte("apl_1"))
	require.NoError(t, err)
	require.Equal(t, "Jane", string(pt))
	require.Equal(t, kr1.LookupHash("email", "a@b.c"), kr2.LookupHash("email", "a@b.c"))
}

func TestWrongMasterKeyFails(t *testing.T) {
	t.Parallel()
	ks := &kyctest.MemKeys{}
	newKeyring(t, t.TempDir(), ks)
	mk, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: t.TempDir()})
	require.NoError(t, err)
	_, err = crypto.OpenKeyring(context.Background(), mk, ks)
	require.ErrorContains(t, err, "wrong master key")
}

func TestMasterKeyValueRules(t *testing.T) {
	t.Parallel()
	_, err := crypto.OpenMasterKey(crypto.MasterKeySource{Value: "c2hvcnQ="})
	require.ErrorContains(t, err, "32 bytes")
	_, err = crypto.OpenMasterKey(crypto.MasterKeySource{Value: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})
	require.NoError(t, err)
	_, err = crypto.OpenMasterKey(crypto.MasterKeySource{})
	require.Error(t, err)
}

func TestSealBindsAAD(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, t.TempDir(), &kyctest.MemKeys{})
	sealed, err := kr.Seal([]byte("secret"), []byte("a"))
	require.NoError(t, err)
	_, err = kr.Open(sealed, []byte("b"))
	require.ErrorIs(t, err, crypto.ErrDecrypt)
	sealed[len(sealed)-1] ^= 1
	_, err = kr.Open(sealed, []byte("a"))
	require.ErrorIs(t, err, crypto.ErrDecrypt)
	for _, junk := range [][]byte{nil, {1}, {1, 200}, {9, 0}} {
		_, err = kr.Open(junk, nil)
		require.ErrorIs(t, err, crypto.ErrDecrypt)
	}
}

func TestStreamRoundTripSizes(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, t.TempDir(), &kyctest.MemKeys{})
	for _, size := range []int{0, 1, 65535, 65536, 65537, 3*65536 + 17, 5 << 20} {
		plain := make([]byte, size)
		_, _ = rand.Read(plain)
		var buf bytes.Buffer
		w, err := kr.EncryptWriter(&buf, []byte("blob/key"))
		require.NoError(t, err)
		// Odd write sizes exercise segment boundaries.
		for rest := plain; len(rest) > 0; {
			n := min(len(rest), 10007)
			_, err := w.Write(rest[:n])
			require.NoError(t, err)
			rest = rest[n:]
		}
		require.NoError(t, w.Close())
		require.False(t, bytes.Contains(buf.Bytes(), plain[:min(size, 64)]) && size >= 16)

		r, err := kr.DecryptReader(bytes.NewReader(buf.Bytes()), []byte("blob/key"))
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err, "size %d", size)
		require.Equal(t, plain, got)
	}
}

func TestStreamDetectsTampering(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, t.TempDir(), &kyctest.MemKeys{})
	plain := make([]byte, 200_000)
	var buf bytes.Buffer
	w, err := kr.EncryptWriter(&buf, nil)
	require.NoError(t, err)
	_, _ = w.Write(plain)
	require.NoError(t, w.Close())
	ct := buf.Bytes()
	hdr := 4 + 1 + len(kr.ActiveKeyID()) + 7
	seg := 65536 + 16
	cases := map[string][]byte{
		"truncated at segment boundary": ct[:hdr+seg],
		"truncated mid segment":         ct[:len(ct)-5],
		"flipped bit":                   flip(ct, hdr+10),
		"extended":                      append(append([]byte{}, ct...), 0),
		"swapped segments":              append(append(append(append([]byte{}, ct[:hdr]...), ct[hdr+seg:hdr+2*seg]...), ct[hdr:hdr+seg]...), ct[hdr+2*seg:]...),
	}
	for name, c := range cases {
		r, err := kr.DecryptReader(bytes.NewReader(c), nil)
		require.NoError(t, err, name)
		_, err = io.ReadAll(r)
		require.ErrorIs(t, err, crypto.ErrDecrypt, name)
	}
	r, err := kr.DecryptReader(bytes.NewReader(ct), []byte("other"))
	require.NoError(t, err)
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, crypto.ErrDecrypt)
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x80
	return c
}

func TestLookupHashDomainSeparated(t *testing.T) {
	t.Parallel()
	kr := newKeyring(t, t.TempDir(), &kyctest.MemKeys{})
	require.NotEqual(t, kr.LookupHash("email", "x"), kr.LookupHash("phone", "x"))
	require.Empty(t, kr.LookupHash("email", ""))
	require.Len(t, kr.LookupHash("email", "x"), 64)
}

func TestMasterKeyFormats(t *testing.T) {
	t.Parallel()
	const k1, k2 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "HxwdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="
	for _, c := range []struct {
		text     string
		versions []int
		active   int
		err      string
	}{
		{text: k1, versions: []int{1}, active: 1},
		{text: "v2:" + k2 + "," + k1, versions: []int{1, 2}, active: 2},
		{text: "# comment\nv7:" + k2 + "\n\nv3:" + k1 + "\n", versions: []int{3, 7}, active: 7},
		{text: "v1:" + k1 + " v1:" + k2, err: "listed twice"},
		{text: "x2:" + k1, err: "not v<version>:<base64>"},
		{text: "v0:" + k1, err: "not v<version>:<base64>"},
		{text: "v2:c2hvcnQ=", err: "32 bytes"},
		{text: "  ", err: "32 bytes"},
	} {
		m, err := crypto.ParseMasterKeys(c.text, "test")
		if c.err != "" {
			require.ErrorContains(t, err, c.err, c.text)
			require.NotContains(t, err.Error(), k1[8:], "key material stays out of errors")
			continue
		}
		require.NoError(t, err, c.text)
		require.Equal(t, c.versions, m.Versions())
		require.Equal(t, c.active, m.Active())
		again, err := crypto.ParseMasterKeys(m.Encode(), "encoded")
		require.NoError(t, err)
		require.Equal(t, m.Versions(), again.Versions())
	}
}

// TestMasterKeyRotation: a new version re-wraps the data keys; old
// ciphertexts open under the new version alone; a process with only the old
// version is told which version it lacks.
func TestMasterKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ks := &kyctest.MemKeys{}
	v1, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: dir})
	require.NoError(t, err)
	kr1, err := crypto.OpenKeyring(ctx, v1, ks)
	require.NoError(t, err)
	sealed, err := kr1.Seal([]byte("Jane"), []byte("apl_1"))
	require.NoError(t, err)

	v2, err := v1.WithNewVersion()
	require.NoError(t, err)
	require.Equal(t, 2, v2.Active())
	require.NoError(t, crypto.WriteMasterKeyFile(v2.Path, v2))
	fi, err := os.Stat(v2.Path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	n, err := crypto.Rewrap(ctx, v2, ks)
	require.NoError(t, err)
	require.Equal(t, 2, n, "the encryption and the lookup key")
	n, err = crypto.Rewrap(ctx, v2, ks)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left to re-wrap")
	inUse, err := crypto.MasterVersionsInUse(ctx, ks)
	require.NoError(t, err)
	require.Equal(t, map[int]int{2: 2}, inUse)

	only2, err := v2.Without(1)
	require.NoError(t, err)
	_, err = v2.Without(2)
	require.ErrorContains(t, err, "active")
	kr2, err := crypto.OpenKeyring(ctx, only2, ks)
	require.NoError(t, err)
	pt, err := kr2.Open(sealed, []byte("apl_1"))
	require.NoError(t, err)
	require.Equal(t, "Jane", string(pt))
	require.Equal(t, kr1.LookupHash("email", "a@b.c"), kr2.LookupHash("email", "a@b.c"), "the lookup key is the same key")

	reread, err := crypto.OpenMasterKey(crypto.MasterKeySource{DataDir: dir})
	require.NoError(t, err)
	require.Equal(t, []int{1, 2}, reread.Versions(), "the file holds both versions")
	_, err = crypto.OpenKeyring(ctx, v1, ks)
	require.ErrorContains(t, err, "master key version 2, which is not configured")
}

// FuzzParseMasterKeys: operator input never panics, and what parses
// round-trips through Encode.
func FuzzParseMasterKeys(f *testing.F) {
	f.Add("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	f.Add("v2:HxwdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=,v1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	f.Add("# c\nv9999999:x\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := crypto.ParseMasterKeys(text, "fuzz")
		if err != nil {
			return
		}
		again, err := crypto.ParseMasterKeys(m.Encode(), "encoded")
		require.NoError(t, err)
		require.Equal(t, m.Versions(), again.Versions())
		require.Equal(t, m.Active(), again.Active())
	})
}
