package cardbinding_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect/cardbinding"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestSeedValues: what the seed page allows is accepted. Its example phone
// (mobile "1888888888", mobile_code "86") and the shortest it allows
// ("123456" / "1") are 6–11 and at most 5 characters as it asks, though no
// telephone plan knows them: the binding goes through, the number is not
// stored as the applicant's phone, and the verification's audit entry says
// phone_valid false. doc_no is "Maximum 128 characters": any printable
// ones.
func TestSeedValues(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := kyc.Principal{MerchantID: e.m1.id, Actor: "test"}
		for i, tc := range []struct{ mobile, code, docNo string }{
			{"1888888888", "86", "12345678"},
			{"123456", "1", "E-123/456 #7.8 (ÄÖ) " + strings.Repeat("9", 100)},
		} {
			trade, email := "SEED-"+string(rune('A'+i)), "seed"+string(rune('a'+i))+"@example.com"
			res := e.do(call{path: "/openapi/card/binding/kyc", acc: e.m1, body: bindBody(trade, email, tc.docNo, func(b, _ map[string]any) {
				b["mobile"], b["mobile_code"] = tc.mobile, tc.code
			})})
			require.Equal(t, "00000", code(res), "%v", res)
			a, err := e.a.Applicants.Find(ctx, p, kyc.SurfaceCardBinding, email)
			require.NoError(t, err)
			require.Empty(t, a.PII.Phone, "not a telephone number: not stored")
			require.Equal(t, strings.ToUpper(tc.docNo), a.PII.DocumentNumber)
			v, err := e.a.Verifications.ByReference(ctx, p, cardbinding.Surface, trade)
			require.NoError(t, err)
			audit, err := e.a.Store.AuditBySubject(ctx, p.MerchantID, []string{v.ID}, 10)
			require.NoError(t, err)
			var created string
			for _, en := range audit {
				if en.Action == "verification.create" {
					created = string(en.Data)
				}
			}
			require.Contains(t, created, `"phone_valid":"false"`)
		}
		// a valid number is stored, and no note is written
		res := e.do(call{path: "/openapi/card/binding/kyc", acc: e.m1, body: bindBody("SEED-C", "seedc@example.com", "E7", nil)})
		require.Equal(t, "00000", code(res), "%v", res)
		a, err := e.a.Applicants.Find(ctx, p, kyc.SurfaceCardBinding, "seedc@example.com")
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(a.PII.Phone, "+86"), a.PII.Phone)
	})
}

// seedAnswer is the answer of the seed page (card-binding-kyc), typed as its
// "API Response" table: code string, msg string, nothing else.
type seedAnswer struct {
	Code string `json:"code"`
	Msg  string `json:"msg"`
}

// queryAnswer is openkyc's query answer (DIALECTS.md §4, [openkyc]): the
// envelope with data{mc_trade_no, status, reason}.
type queryAnswer struct {
	Code string `json:"code"`
	Msg  string `json:"msg"`
	Data *struct {
		TradeNo string `json:"mc_trade_no"`
		Status  int    `json:"status"`
		Reason  string `json:"reason"`
	} `json:"data"`
}

// TestSeedClient: a client written from the seed binds with the seed's
// answer types (refusing unknown fields), is refused with the same shape,
// and reads the status from the query.
func TestSeedClient(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		var a seedAnswer
		kyctest.StrictJSON(t, e.do(call{path: "/openapi/card/binding/kyc", acc: e.m1, body: bindBody("STRICT-1", "strict@example.com", "E1", nil)}), &a)
		require.Equal(t, seedAnswer{Code: "00000", Msg: "ok"}, a)
		kyctest.StrictJSON(t, e.do(call{path: "/openapi/card/binding/kyc", acc: e.m1, body: bindBody("STRICT-1", "strict@example.com", "E1", nil)}), &a)
		require.Equal(t, "A0005", a.Code, "the same mc_trade_no again")
		kyctest.StrictJSON(t, e.do(call{path: "/openapi/card/binding/kyc", acc: e.m1, body: bindBody("STRICT-2", "strict@example.com", "E1", func(_, k map[string]any) {
			k["birthday"] = "1990-13-01"
		})}), &a)
		require.Equal(t, "A0003", a.Code)
		require.Contains(t, a.Msg, "kyc_info.birthday")
		var q queryAnswer
		kyctest.StrictJSON(t, e.do(call{path: "/openapi/card/binding/kyc/query", acc: e.m1, body: queryBody("STRICT-1")}), &q)
		require.Equal(t, "00000", q.Code)
		require.NotNil(t, q.Data)
		require.Equal(t, "STRICT-1", q.Data.TradeNo)
		require.Contains(t, []int{0, 1, 2, 3}, q.Data.Status)
	})
}
