package imgproxy_test

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// Fixtures computed with openssl, independently of this package:
//
//	echo -n '/image/150x150/a/b.jpg your_secret' | openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =
//	echo -n '2147483647/image/150x150/a/b.jpg your_secret' | openssl md5 ... (same pipe)
//	echo -n '1700000000/image/150x150/a/b.jpg your_secret' | openssl md5 ... (same pipe)
//	printf '%s\n%s' "" /image/150x150/a/b.jpg | openssl dgst -sha256 -hmac key-2024 -binary | openssl base64 | tr +/ -_ | tr -d =
//	printf '%s\n%s' 2147483647 /image/150x150/a/b.jpg | (same pipe)
const (
	slPath         = "/image/150x150/a/b.jpg"
	slSecret       = "your_secret"
	slToken        = "N1jadBh1oI7LO9yKdEQn5w"
	slTokenFar     = "9-DvV2y_NTgTshiBa6vZsA" // expires=2147483647
	slTokenPast    = "3ANzcQU-WNgrLlYnUinuYQ" // expires=1700000000
	slHMACKey      = "key-2024"
	slHMACSigPlain = "-yrsZEmtz9v7iP57Y6NHqunB2RrmnMASmH6SwaVRQc4"
	slHMACSigFar   = "w3XRBvaWI90-oJhdpsGuEalmO0L422Iw8XpnekVTbUI" // expires=2147483647
	slFixedNowUnix = 1800000000
)

func slFixedNow() time.Time { return time.Unix(slFixedNowUnix, 0) }

// slWantErr checks err against want: nil, or a sentinel err must wrap.
func slWantErr(t *testing.T, want, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.ErrorIs(t, err, want)
	require.True(t, strings.HasPrefix(err.Error(), "imgproxy: "), "error %q lacks the prefix", err)
	if want == imgproxy.ErrForbidden {
		require.NotErrorIs(t, err, imgproxy.ErrExpired)
	}
}

func TestSecureLinkMD5OpenSSLFixture(t *testing.T) {
	t.Parallel()
	s := &imgproxy.SecureLinkMD5{Secret: slSecret}
	require.Equal(t, slPath+"?auth="+slToken, s.Sign(slPath))
	require.NoError(t, s.Verify(httptest.NewRequest(http.MethodGet, slPath+"?auth="+slToken, nil)))
	// nginx decodes padded base64url too.
	require.NoError(t, s.Verify(httptest.NewRequest(http.MethodGet, slPath+"?auth="+slToken+"==", nil)))

	e := &imgproxy.SecureLinkMD5{Secret: slSecret, Expiring: true}
	require.Equal(t, slPath+"?auth="+slTokenFar+"&expires=2147483647", e.SignExpires(slPath, time.Unix(2147483647, 0)))
	require.NoError(t, e.Verify(httptest.NewRequest(http.MethodGet, slPath+"?auth="+slTokenFar+"&expires=2147483647", nil)))
	err := e.Verify(httptest.NewRequest(http.MethodGet, slPath+"?expires=1700000000&auth="+slTokenPast, nil))
	slWantErr(t, imgproxy.ErrExpired, err)
}

func TestSecureLinkMD5Verify(t *testing.T) {
	t.Parallel()
	plain := &imgproxy.SecureLinkMD5{Secret: slSecret, Now: slFixedNow}
	expiring := &imgproxy.SecureLinkMD5{Secret: slSecret, Expiring: true, Now: slFixedNow}
	other := &imgproxy.SecureLinkMD5{Secret: "other", Expiring: true, Now: slFixedNow}
	at := func(sec int64) time.Time { return time.Unix(sec, 0) }
	future := expiring.SignExpires(slPath, at(slFixedNowUnix+60))
	past := expiring.SignExpires(slPath, at(slFixedNowUnix-1))
	tests := []struct {
		name   string
		signer *imgproxy.SecureLinkMD5
		target string
		want   error
	}{
		{"valid", plain, plain.Sign(slPath), nil},
		{"plain token with expires", plain, plain.Sign(slPath) + "&expires=1", imgproxy.ErrForbidden},
		{"expiring form accepted", plain, plain.SignExpires(slPath, time.Unix(2000000000, 0)), nil},
		{"expiring form expired", plain, plain.SignExpires(slPath, time.Unix(1000000000, 0)), imgproxy.ErrExpired},
		{"valid, other params", plain, plain.Sign(slPath) + "&x=y", nil},
		{"missing", plain, slPath, imgproxy.ErrForbidden},
		{"empty auth", plain, slPath + "?auth=", imgproxy.ErrForbidden},
		{"wrong", plain, slPath + "?auth=AAAAAAAAAAAAAAAAAAAAAA", imgproxy.ErrForbidden},
		{"not base64url", plain, slPath + "?auth=" + strings.ReplaceAll(slToken, "n", "+"), imgproxy.ErrForbidden},
		{"too long", plain, slPath + "?auth=" + slToken + "AAAA", imgproxy.ErrForbidden},
		{"truncated", plain, slPath + "?auth=" + slToken[:20], imgproxy.ErrForbidden},
		{"other path", plain, "/image/150x150/a/c.jpg?auth=" + slToken, imgproxy.ErrForbidden},
		{"prefix stripped", plain, "/150x150/a/b.jpg?auth=" + slToken, imgproxy.ErrForbidden},
		{"other secret", &imgproxy.SecureLinkMD5{Secret: "x"}, plain.Sign(slPath), imgproxy.ErrForbidden},
		{"empty secret fails closed", &imgproxy.SecureLinkMD5{}, (&imgproxy.SecureLinkMD5{}).Sign(slPath), imgproxy.ErrForbidden},
		{"expiring valid", expiring, future, nil},
		{"expiring at its last second", expiring, expiring.SignExpires(slPath, at(slFixedNowUnix)), nil},
		{"expired", expiring, past, imgproxy.ErrExpired},
		{"forged and expired", other, past, imgproxy.ErrForbidden},
		{"expiring without expires", expiring, plain.Sign(slPath), imgproxy.ErrForbidden},
		{"tampered expires", expiring, strings.Replace(past, "expires=", "expires=9", 1), imgproxy.ErrForbidden},
		{"expires zero", expiring, expiring.SignExpires(slPath, at(0)), imgproxy.ErrForbidden},
		{"expires signed", expiring, slPath + "?auth=" + slTokenFar + "&expires=+2147483647", imgproxy.ErrForbidden},
		{"expiring other path", expiring, strings.Replace(future, "b.jpg", "c.jpg", 1), imgproxy.ErrForbidden},
		{"expiring fixture", expiring, slPath + "?auth=" + slTokenFar + "&expires=2147483647", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slWantErr(t, tt.want, tt.signer.Verify(httptest.NewRequest(http.MethodGet, tt.target, nil)))
		})
	}
}

func TestHMACSignerOpenSSLFixture(t *testing.T) {
	t.Parallel()
	s := &imgproxy.HMACSigner{Keys: [][]byte{[]byte(slHMACKey)}}
	require.Equal(t, slPath+"?sig="+slHMACSigPlain, s.Sign(slPath))
	require.Equal(t, slPath+"?sig="+slHMACSigFar+"&expires=2147483647", s.SignExpires(slPath, time.Unix(2147483647, 0)))
	require.NoError(t, s.Verify(httptest.NewRequest(http.MethodGet, slPath+"?sig="+slHMACSigPlain, nil)))
	require.NoError(t, s.Verify(httptest.NewRequest(http.MethodGet, slPath+"?expires=2147483647&sig="+slHMACSigFar, nil)))
}

func TestHMACSignerVerify(t *testing.T) {
	t.Parallel()
	oldKey, newKey := []byte("old-key-0123456789abcdef"), []byte("new-key-0123456789abcdef")
	old := &imgproxy.HMACSigner{Keys: [][]byte{oldKey}, Now: slFixedNow}
	s := &imgproxy.HMACSigner{Keys: [][]byte{newKey, oldKey}, Now: slFixedNow}
	retired := &imgproxy.HMACSigner{Keys: [][]byte{newKey}, Now: slFixedNow}
	forger := &imgproxy.HMACSigner{Keys: [][]byte{[]byte("guess")}, Now: slFixedNow}
	at := func(sec int64) time.Time { return time.Unix(sec, 0) }
	future := s.SignExpires(slPath, at(slFixedNowUnix+60))
	past := s.SignExpires(slPath, at(slFixedNowUnix-1))
	tests := []struct {
		name   string
		signer *imgproxy.HMACSigner
		target string
		want   error
	}{
		{"valid", s, s.Sign(slPath), nil},
		{"valid, other params", s, s.Sign(slPath) + "&x=1", nil},
		{"valid expiring", s, future, nil},
		{"at its last second", s, s.SignExpires(slPath, at(slFixedNowUnix)), nil},
		{"rotated key", s, old.Sign(slPath), nil},
		{"retired key", retired, old.Sign(slPath), imgproxy.ErrForbidden},
		{"missing", s, slPath, imgproxy.ErrForbidden},
		{"empty sig", s, slPath + "?sig=", imgproxy.ErrForbidden},
		{"wrong", s, forger.Sign(slPath), imgproxy.ErrForbidden},
		{"padded", s, s.Sign(slPath) + "=", imgproxy.ErrForbidden},
		{"truncated", s, s.Sign(slPath)[:len(s.Sign(slPath))-2], imgproxy.ErrForbidden},
		{"other path", s, strings.Replace(s.Sign(slPath), "b.jpg", "c.jpg", 1), imgproxy.ErrForbidden},
		{"expired", s, past, imgproxy.ErrExpired},
		{"forged and expired", s, forger.SignExpires(slPath, at(slFixedNowUnix-1)), imgproxy.ErrForbidden},
		{"tampered expires", s, strings.Replace(past, "expires=", "expires=9", 1), imgproxy.ErrForbidden},
		{"expires dropped", s, strings.Split(future, "&")[0], imgproxy.ErrForbidden},
		{"expires added", s, s.Sign(slPath) + "&expires=" + "9999999999", imgproxy.ErrForbidden},
		{"expires empty", s, s.Sign(slPath) + "&expires=", imgproxy.ErrForbidden},
		{"expires not a number", s, s.Sign(slPath) + "&expires=soon", imgproxy.ErrForbidden},
		{"no keys fails closed", &imgproxy.HMACSigner{}, (&imgproxy.HMACSigner{}).Sign(slPath), imgproxy.ErrForbidden},
		{"empty key fails closed", &imgproxy.HMACSigner{Keys: [][]byte{{}}}, (&imgproxy.HMACSigner{Keys: [][]byte{{}}}).Sign(slPath), imgproxy.ErrForbidden},
		{"empty key skipped", &imgproxy.HMACSigner{Keys: [][]byte{nil, oldKey}}, old.Sign(slPath), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slWantErr(t, tt.want, tt.signer.Verify(httptest.NewRequest(http.MethodGet, tt.target, nil)))
		})
	}
}

// TestSignEscaping checks that links for awkward paths reach the server as
// exactly the path signed.
func TestSignEscaping(t *testing.T) {
	t.Parallel()
	md5 := &imgproxy.SecureLinkMD5{Secret: slSecret}
	hm := &imgproxy.HMACSigner{Keys: [][]byte{[]byte(slHMACKey)}}
	signers := map[string]interface {
		imgproxy.Signer
		Sign(string) string
		SignExpires(string, time.Time) string
	}{"md5": md5, "hmac": hm}
	paths := []string{
		"/image/150x150/a b.jpg",
		"/image/150x150/ünï/çødé.jpg",
		"/image/150x150/100%.jpg",
		"/image/150x150/what?.jpg",
		"/image/150x150/a#b.jpg",
		"/image/150x150/a&auth=x.jpg",
		"//evil.example/x.jpg",
	}
	for name, s := range signers {
		for _, p := range paths {
			link := s.Sign(p)
			require.False(t, strings.HasPrefix(link, "//"), "%s: %q is protocol-relative", name, link)
			r := httptest.NewRequest(http.MethodGet, link, nil)
			require.Equal(t, p, r.URL.Path, "%s: %q", name, link)
			require.NoError(t, s.Verify(r), "%s: %q", name, link)
		}
	}
}

func TestSignFuncMap(t *testing.T) {
	t.Parallel()
	until := time.Now().Add(time.Hour)
	for name, fm := range map[string]template.FuncMap{
		"md5":  (&imgproxy.SecureLinkMD5{Secret: slSecret}).FuncMap(),
		"hmac": (&imgproxy.HMACSigner{Keys: [][]byte{[]byte(slHMACKey)}}).FuncMap(),
	} {
		tmpl := template.Must(template.New(name).Funcs(fm).Parse(
			`<img src="{{signImage .Path}}"><img src="{{signImageExpires .Path .Until}}">`))
		var buf bytes.Buffer
		require.NoError(t, tmpl.Execute(&buf, map[string]any{"Path": "/image/150x150/a b.jpg", "Until": until}))
		srcs := regexp.MustCompile(`src="([^"]*)"`).FindAllStringSubmatch(buf.String(), -1)
		require.Len(t, srcs, 2, buf.String())
		for i, m := range srcs {
			link := strings.ReplaceAll(m[1], "&amp;", "&") // attribute escaping
			u, err := url.Parse(link)
			require.NoError(t, err)
			require.Equal(t, "/image/150x150/a b.jpg", u.Path, "%s link %d: %s", name, i, buf.String())
			if i == 0 {
				require.True(t, u.Query().Has("auth") || u.Query().Has("sig"))
			} else {
				require.Equal(t, strconv.FormatInt(until.Unix(), 10), u.Query().Get("expires"))
			}
		}
	}
}

func TestSignerValidate(t *testing.T) {
	t.Parallel()
	require.Error(t, (&imgproxy.SecureLinkMD5{}).Validate())
	require.Error(t, (&imgproxy.SecureLinkMD5{Secret: "s"}).Validate())
	require.Error(t, (&imgproxy.SecureLinkMD5{Secret: "1234567"}).Validate())
	require.NoError(t, (&imgproxy.SecureLinkMD5{Secret: "12345678"}).Validate())
	require.NoError(t, (&imgproxy.SecureLinkMD5{Secret: "your_secret"}).Validate(), "nginx's example secret")
	require.NoError(t, (&imgproxy.SecureLinkMD5{Secret: "x"}).Verify(httptest.NewRequest("GET", (&imgproxy.SecureLinkMD5{Secret: "x"}).Sign("/a.jpg"), nil)),
		"Verify does not refuse a short secret: Validate is the start-up check")
	require.Error(t, (&imgproxy.HMACSigner{}).Validate())
	require.Error(t, (&imgproxy.HMACSigner{Keys: [][]byte{nil, []byte("0123456789abcdef")}}).Validate())
	require.Error(t, (&imgproxy.HMACSigner{Keys: [][]byte{[]byte("short")}}).Validate())
	require.NoError(t, (&imgproxy.HMACSigner{Keys: [][]byte{[]byte("0123456789abcdef")}}).Validate())
	require.Error(t, (&imgproxy.HMACSigner{Keys: [][]byte{[]byte("0123456789abcdef"), []byte("old")}}).Validate(), "an old key verifies too")
	require.NoError(t, (&imgproxy.HMACSigner{Keys: [][]byte{[]byte("0123456789abcdef"), nil}}).Validate(), "empty keys are ignored")
}

// TestSecureLinkThroughServer checks Verify on requests parsed by a real
// net/http server, as the Handler sees them.
func TestSecureLinkThroughServer(t *testing.T) {
	t.Parallel()
	s := &imgproxy.SecureLinkMD5{Secret: slSecret}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Verify(r); err != nil {
			code := http.StatusForbidden
			if errors.Is(err, imgproxy.ErrExpired) {
				code = http.StatusGone
			}
			http.Error(w, http.StatusText(code), code)
		}
	}))
	defer srv.Close()
	for link, want := range map[string]int{
		slPath + "?auth=" + slToken:                http.StatusOK,
		s.Sign("/image/150x150/ünï code.jpg"):      http.StatusOK,
		"/image/150x150/a/%62.jpg?auth=" + slToken: http.StatusOK, // %62 is "b": $uri is decoded
		slPath + "?auth=" + slToken[1:]:            http.StatusForbidden,
		slPath:                                     http.StatusForbidden,
	} {
		resp, err := srv.Client().Get(srv.URL + link)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, link)
	}
}
