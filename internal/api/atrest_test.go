package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/dialect/cardbinding"
	"github.com/openkyc/openkyc/internal/dialect/kycsharing"
	"github.com/openkyc/openkyc/internal/dialect/paycools"
	"github.com/openkyc/openkyc/internal/dialect/vexora"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
)

// throughDialects sends an applicant through each dialect (PayCools Init,
// Vexora kycApplyFor, KYC Sharing information, card-binding bind) of a new
// merchant, each request validly signed and accepted, and returns the
// personal data it sent: names, e-mail addresses (which KYC Sharing and
// card binding use as the user's key), phones, document numbers and the
// user ids of PayCools and Vexora (chosen to look like personal data).
func (e *env) throughDialects(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	c, err := e.app.Merchants.Create(ctx, "Merchant D", "test")
	require.NoError(t, err)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pub := okcrypto.RSAPublicKeyPEM(&key.PublicKey)
	p := kyc.Principal{MerchantID: c.Merchant.ID, Actor: "test"}
	for _, d := range []kyc.Surface{kyc.SurfacePayCools, kyc.SurfaceCardBinding} {
		_, err := e.app.Merchants.UpdateSettings(ctx, p, d, merchant.SettingsPatch{PublicKey: &pub})
		require.NoError(t, err)
	}
	sign := func(msg string) string {
		s, err := okcrypto.SignSHA256(key, []byte(msg))
		require.NoError(t, err)
		return s
	}
	send := func(path string, body []byte, hdr map[string]string) map[string]any {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s: %s", path, b)
		var out map[string]any
		require.NoError(t, json.Unmarshal(b, &out), "%s: %s", path, b)
		return out
	}

	// PayCools: the user id only (the data comes through the hosted page).
	param := fmt.Sprintf(`{"mchOrderId":"pc1","userId":"pc.holder@paycools-user.example","docType":"00000001003","notifyUrl":"https://merchant.example/n","returnUrl":"https://merchant.example/done","locale":"en","timestamp":%d}`,
		time.Now().UnixMilli())
	body, _ := json.Marshal(map[string]string{"appId": c.PayCoolsAppID, "sign": sign(param), "param": param})
	res := send(paycools.PathInit, body, nil)
	require.EqualValues(t, 10000, res["code"], "paycools: %v", res)

	// Vexora.
	f := map[string]string{"userId": "+819012345678", "firstName": "Hanako", "lastName": "Tachibanaya", "dateOfBirth": "19850101",
		"email": "hanako.tachibanaya@vexora-user.example", "phone": "+819087654321", "documentNumber": "TR8830417",
		"timestamp": strconv.FormatInt(time.Now().UnixMilli(), 10)}
	f["sign"] = vexora.Sign(f, c.VexoraAppSecret)
	body, _ = json.Marshal(f)
	res = send("/v1/vexora/kycApplyFor", body, map[string]string{"merchantNo": c.Merchant.MerchantNo})
	require.Equal(t, "0000", res["code"], "vexora: %v", res)

	// KYC Sharing: the e-mail address is the user's key.
	body = []byte(`{"callbackUrl":"https://merchant.example/ks","email":"maria.garcia-lopez@kycsharing-user.example","holderType":1,` +
		`"individualInfo":{"address":{"address":"Calle Mayor 1","city":"Madrid","country":"ESP","zipCode":"28013"},"country":"ESP",` +
		`"dob":"1988-07-21","firstName":"Mariaelena","gender":2,"idDocType":2,"lastName":"Garciabravo","number":"PAB123456","validUntil":"2031-01-01"},"requestNo":"ks-1"}`)
	canon, err := kycsharing.Canonical(body)
	require.NoError(t, err)
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	res = send(kycsharing.PathInformation, body, map[string]string{"appId": c.KYCSharingAppID, "timestamp": ts,
		"sign": kycsharing.Sign(c.KYCSharingSecret, ts, http.MethodPost, kycsharing.PathInformation, canon)})
	require.Equal(t, "0", fmt.Sprint(res["code"]), "kyc sharing: %v", res)

	// Card binding: the e-mail address is the user's key; data and documents in one call.
	var jb, pb bytes.Buffer
	require.NoError(t, jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 120, 80)), nil))
	require.NoError(t, png.Encode(&pb, image.NewGray(image.Rect(0, 0, 60, 20))))
	img, sig := base64.StdEncoding.EncodeToString(jb.Bytes()), base64.StdEncoding.EncodeToString(pb.Bytes())
	body, _ = json.Marshal(map[string]any{"mc_trade_no": "cb-1",
		"base_info": map[string]any{"email": "wei.zhangsan@cardbinding-user.example", "first_name": "Weiming", "last_name": "Zhangsan",
			"mobile": "13812345678", "mobile_code": "86", "user_ip": "40.77.166.66"},
		"kyc_info": map[string]any{"address": "Maizidian Street 28", "birthday": "1990-01-01", "city": "Beijing", "country_id": "CN",
			"doc_no": "G77123456", "doc_type": 1, "emergency_contact": "Li Na", "front_doc": img, "gender": 1, "mix_doc": img,
			"nationality_id": "CN", "sign_img": sig, "state": "Beijing", "zip_code": "100100", "poa_type": "2"}})
	h := map[string]string{"timestamp": strconv.FormatInt(time.Now().Unix(), 10), "nonce": "n000000001", "api-key": c.CardBindingAPIKey,
		"version": "1.0", "lang": "en"}
	s, err := cardbinding.StringToSign(h, body)
	require.NoError(t, err)
	h["signature"] = sign(s)
	res = send(cardbinding.PathBind, body, h)
	require.Equal(t, "00000", res["code"], "card binding: %v", res)

	return []string{
		"pc.holder", "paycools-user.example",
		"819012345678", "Tachibanaya", "hanako.tachibanaya", "vexora-user.example", "819087654321", "TR8830417",
		"maria.garcia-lopez", "kycsharing-user.example", "Mariaelena", "Garciabravo", "PAB123456", "Calle Mayor",
		"wei.zhangsan", "cardbinding-user.example", "Weiming", "Zhangsan", "13812345678", "G77123456", "Maizidian",
	}
}
