package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
)

// goldenArticle has every part set, with characters that JSON could
// escape and bytes that Clean must repair.
func goldenArticle() feeds.Article {
	return feeds.Article{
		ID:      "https://example.org/a?x=1&y=2",
		Source:  "example",
		Origin:  "https://example.org/feed.xml",
		Title:   "Cats & <Dogs> \"quoted\"\x00",
		Link:    "https://example.org/a",
		Summary: "Bad byte: \xff, line sep: \u2028",
		Content: "<p>Body with <a href=\"/x\">a link</a> &amp; é</p>",
		Authors: []feeds.Author{
			{Name: "Ann Writer", Email: "ann@example.org", URL: "https://example.org/ann", Avatar: "https://example.org/ann.jpg", Bio: "Writes."},
			{Name: "Bob"},
		},
		Image:      &feeds.Image{URL: "https://example.org/i.jpg", Caption: "A <cat>", Credit: "FBI", Type: "image/jpeg", Width: 640, Height: 480, Length: 12345},
		Enclosures: []feeds.Enclosure{{URL: "https://example.org/a.mp3", Type: "audio/mpeg", Length: 999}},
		Categories: feeds.Terms("news", "tech & science"),
		Published:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Updated:    time.Date(2024, 1, 3, 3, 4, 5, 600, time.FixedZone("CET", 3600)),
		FetchedAt:  time.Date(2024, 1, 2, 4, 0, 0, 0, time.UTC),
		Page: &feeds.PageState{
			ExtractedAt: time.Date(2024, 1, 2, 5, 0, 0, 0, time.UTC), ETag: `W/"abc"`, LastModified: "Tue, 02 Jan 2024 05:00:00 GMT",
			Attempts: 2, AttemptedAt: time.Date(2024, 1, 2, 5, 0, 0, 0, time.UTC),
		},
	}
}

// TestEncodeGolden pins the stored bytes and content hash. Both are in
// every existing database: if this test fails, the change makes every
// stored article count as updated (and rewritten) on its next fetch, and
// may make old rows unreadable. Change the encoding only on purpose, with
// a migration plan, never to make this test pass.
func TestEncodeGolden(t *testing.T) {
	tests := []struct {
		name string
		a    feeds.Article
		want Row
		hash string
	}{
		{
			name: "Full",
			a:    goldenArticle(),
			want: Row{
				Source: "example", ID: "https://example.org/a?x=1&y=2", Origin: "https://example.org/feed.xml",
				Title: "Cats & <Dogs> \"quoted\"", Link: "https://example.org/a",
				Summary: "Bad byte: \uFFFD, line sep: \u2028", Content: "<p>Body with <a href=\"/x\">a link</a> &amp; é</p>",
				Authors:    []byte(`[{"name":"Ann Writer","email":"ann@example.org","url":"https://example.org/ann","avatar":"https://example.org/ann.jpg","bio":"Writes."},{"name":"Bob"}]`),
				Image:      []byte(`{"url":"https://example.org/i.jpg","caption":"A <cat>","credit":"FBI","type":"image/jpeg","width":640,"height":480,"length":12345}`),
				Enclosures: []byte(`[{"url":"https://example.org/a.mp3","type":"audio/mpeg","length":999}]`),
				Categories: []byte(`["news","tech & science"]`),
				Page:       []byte(`{"extracted_at":1704171600,"etag":"W/\"abc\"","last_modified":"Tue, 02 Jan 2024 05:00:00 GMT","attempts":2,"attempted_at":1704171600}`),
				Published:  ptr(1704164645), Updated: ptr(1704247445), FetchedAt: ptr(1704168000),
			},
			hash: "a999d150b7bd234e5a573374c73a32418b7d1ed7a6e66782686ae962833be9bb",
		},
		{
			// Zero fields are left out of the JSON columns and the hash.
			name: "Sparse",
			a: feeds.Article{
				ID: "2", Source: "s", Title: "T",
				Authors:    []feeds.Author{{URL: "https://example.org/me"}},
				Image:      &feeds.Image{URL: "https://example.org/i.png"},
				Enclosures: []feeds.Enclosure{{URL: "https://example.org/e.ogg"}},
				Categories: feeds.Terms(""),
				Published:  time.Unix(1700000000, 0),
				Page:       &feeds.PageState{Error: "gone"},
			},
			want: Row{
				Source: "s", ID: "2", Title: "T",
				Authors:    []byte(`[{"url":"https://example.org/me"}]`),
				Image:      []byte(`{"url":"https://example.org/i.png"}`),
				Enclosures: []byte(`[{"url":"https://example.org/e.ogg"}]`),
				Categories: []byte(`[""]`),
				Page:       []byte(`{"error":"gone"}`),
				Published:  ptr(1700000000), FetchedAt: ptr(1700000999),
			},
			hash: "84afe1b5e8555018093b6c3dfe8a37e38d61cf4fe23745661d23e1dc70c3dff4",
		},
		{
			// The hash is the SHA-256 of
			// {"id":"1","source":"s","origin":"","title":"","link":"","summary":"","content":""}
			// (check: printf '%s' '...' | sha256sum).
			name: "Minimal",
			a:    feeds.Article{ID: "1", Source: "s"},
			want: Row{Source: "s", ID: "1", FetchedAt: ptr(1700000999)},
			hash: "e7b7bf13d57f88dc3c5172e836a41a2055e366154ef47de85793efe65c47fd1f",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Encode(&tc.a, time.Unix(1700000999, 0))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(r.Hash); got != tc.hash {
				t.Errorf("hash %s, want %s", got, tc.hash)
			}
			r.Hash = nil
			if !reflect.DeepEqual(r, tc.want) {
				t.Errorf("row\n%s\nwant\n%s", showRow(r), showRow(tc.want))
			}
		})
	}
}

// TestHashCoversContentOnly: the hash moves with what a reader sees and
// stays put for bookkeeping (first fetch time, page extraction state).
func TestHashCoversContentOnly(t *testing.T) {
	base := mustEncode(t, goldenArticle())
	tests := []struct {
		name     string
		change   func(*feeds.Article)
		wantSame bool
	}{
		{"FetchedAt", func(a *feeds.Article) { a.FetchedAt = a.FetchedAt.Add(time.Hour) }, true},
		{"Page", func(a *feeds.Article) { a.Page.Attempts++; a.Page.Error = "timeout" }, true},
		{"NoPage", func(a *feeds.Article) { a.Page = nil }, true},
		{"SubSecondPublished", func(a *feeds.Article) { a.Published = a.Published.Add(time.Millisecond) }, true},
		{"CleanedTitle", func(a *feeds.Article) { a.Title = strings.ReplaceAll(a.Title, "\x00", "") }, true},
		{"EmptyCategories", func(a *feeds.Article) { a.Categories = []feeds.Category{} }, false},
		{"Title", func(a *feeds.Article) { a.Title += "!" }, false},
		{"Content", func(a *feeds.Article) { a.Content += " " }, false},
		{"Published", func(a *feeds.Article) { a.Published = a.Published.Add(time.Second) }, false},
		{"Updated", func(a *feeds.Article) { a.Updated = time.Time{} }, false},
		{"AuthorBio", func(a *feeds.Article) { a.Authors[1].Bio = "New." }, false},
		{"ImageCredit", func(a *feeds.Article) { a.Image.Credit = "AP" }, false},
		{"EnclosureLength", func(a *feeds.Article) { a.Enclosures[0].Length++ }, false},
		{"CategoryOrder", func(a *feeds.Article) { a.Categories[0], a.Categories[1] = a.Categories[1], a.Categories[0] }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := goldenArticle()
			tc.change(&a)
			r := mustEncode(t, a)
			if same := string(r.Hash) == string(base.Hash); same != tc.wantSame {
				t.Errorf("hash unchanged = %v, want %v", same, tc.wantSame)
			}
		})
	}
}

func TestEncodeFetchedAt(t *testing.T) {
	fallback := time.Unix(1700000999, 0)
	tests := []struct {
		name      string
		fetchedAt time.Time
		want      int64
	}{
		{"Kept", time.Unix(1600000000, 5), 1600000000},
		{"ZeroTakesFallback", time.Time{}, 1700000999},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Encode(&feeds.Article{ID: "1", Source: "s", FetchedAt: tc.fetchedAt}, fallback)
			if err != nil {
				t.Fatal(err)
			}
			if r.FetchedAt == nil || *r.FetchedAt != tc.want {
				t.Fatalf("FetchedAt %v, want %d", r.FetchedAt, tc.want)
			}
		})
	}
}

// TestRoundTrip: what Encode writes, DecodeParts (with the scalar columns)
// reads back as the article, cleaned, at second precision in UTC.
func TestRoundTrip(t *testing.T) {
	full := goldenArticle()
	wantFull := goldenArticle()
	wantFull.Title = "Cats & <Dogs> \"quoted\""
	wantFull.Summary = "Bad byte: \uFFFD, line sep: \u2028"
	wantFull.Updated = time.Date(2024, 1, 3, 2, 4, 5, 0, time.UTC)
	dirty := feeds.Article{
		ID: "1", Source: "s\x00",
		Authors:    []feeds.Author{{Name: "A\xc0"}},
		Image:      &feeds.Image{},
		Enclosures: []feeds.Enclosure{{URL: "u\x00"}},
		Categories: feeds.Terms("c\xff", ""),
		FetchedAt:  time.Unix(5, 0),
		Page:       &feeds.PageState{},
	}
	tests := []struct {
		name string
		in   feeds.Article
		want feeds.Article
	}{
		{"Full", full, wantFull},
		{"Minimal", feeds.Article{ID: "1", Source: "s", FetchedAt: time.Unix(5, 0)}, feeds.Article{ID: "1", Source: "s", FetchedAt: time.Unix(5, 0).UTC()}},
		{"EmptyListsAreNil", feeds.Article{ID: "1", Source: "s", FetchedAt: time.Unix(5, 0), Authors: []feeds.Author{}, Enclosures: []feeds.Enclosure{}, Categories: []feeds.Category{}},
			feeds.Article{ID: "1", Source: "s", FetchedAt: time.Unix(5, 0).UTC()}},
		{"Dirty", dirty, feeds.Article{
			ID: "1", Source: "s",
			Authors:    []feeds.Author{{Name: "A\uFFFD"}},
			Image:      &feeds.Image{},
			Enclosures: []feeds.Enclosure{{URL: "u"}},
			Categories: feeds.Terms("c\uFFFD", ""),
			FetchedAt:  time.Unix(5, 0).UTC(),
			Page:       &feeds.PageState{},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustEncode(t, tc.in)
			got := feeds.Article{
				Source: r.Source, ID: r.ID, Origin: r.Origin, Title: r.Title, Link: r.Link, Summary: r.Summary, Content: r.Content,
				Published: FromUnixPtr(r.Published), Updated: FromUnixPtr(r.Updated), FetchedAt: FromUnixPtr(r.FetchedAt),
			}
			if err := DecodeParts(&got, r.Authors, r.Image, r.Enclosures, r.Categories, r.Page, r.Podcast); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", got, tc.want)
			}
			// Encoding what was read back gives the same row: a stored
			// article re-fetched unchanged is recognised as unchanged.
			again := mustEncode(t, got)
			if !reflect.DeepEqual(again, r) {
				t.Fatalf("re-encoded\n%s\nwant\n%s", showRow(again), showRow(r))
			}
		})
	}
}

func TestDecodePartsErrors(t *testing.T) {
	bad := []byte(`{"name":`)
	tests := []struct {
		name                                         string
		authors, image, enclosures, categories, page []byte
		want                                         string
	}{
		{"Authors", bad, nil, nil, nil, nil, "decode authors:"},
		{"Image", nil, []byte(`[1]`), nil, nil, nil, "decode image:"},
		{"Enclosures", nil, nil, bad, nil, nil, "decode enclosures:"},
		{"Categories", nil, nil, nil, []byte(`[1]`), nil, "decode categories:"},
		{"Page", nil, nil, nil, nil, []byte(`"x"`), "decode page:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a feeds.Article
			err := DecodeParts(&a, tc.authors, tc.image, tc.enclosures, tc.categories, tc.page, nil)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}

func TestSamePage(t *testing.T) {
	page := mustEncode(t, goldenArticle()).Page
	tests := []struct {
		name     string
		old, new []byte
		want     bool
	}{
		{"BothNil", nil, nil, true},
		{"StoredNil", nil, page, false},
		{"NewNil", page, nil, false},
		{"Equal", page, page, true},
		// PostgreSQL's jsonb hands back its own layout (spaces, key order).
		{"Reformatted", []byte(`{"attempts": 2, "etag": "W/\"abc\"", "attempted_at": 1704171600, "extracted_at": 1704171600, "last_modified": "Tue, 02 Jan 2024 05:00:00 GMT"}`), page, true},
		{"Different", []byte(`{"attempts":3}`), []byte(`{"attempts":2}`), false},
		{"Unreadable", []byte(`{`), page, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SamePage(tc.old, tc.new); got != tc.want {
				t.Fatalf("SamePage(%s, %s) = %v, want %v", tc.old, tc.new, got, tc.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain <b>&</b> é", "plain <b>&</b> é"},
		{"a\x00b\x00", "ab"},
		{"bad \xff\xfe byte", "bad \uFFFD byte"},
		{"\x00\xc0", "\uFFFD"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Clean(tc.in); got != tc.want {
				t.Fatalf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		enc  string // "" for nil
		out  []string
	}{
		{"Nil", nil, "", nil},
		{"Empty", []string{}, "", nil},
		{"Cleaned", []string{"a\x00", "<b>&"}, `["a","<b>&"]`, []string{"a", "<b>&"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeStrings(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if (b == nil) != (tc.enc == "") || string(b) != tc.enc {
				t.Fatalf("EncodeStrings = %q, want %q", b, tc.enc)
			}
			out, err := DecodeStrings(b)
			if err != nil || !reflect.DeepEqual(out, tc.out) {
				t.Fatalf("DecodeStrings = %#v, %v, want %#v", out, err, tc.out)
			}
		})
	}
	for _, stored := range []string{`[]`, `null`} {
		if out, err := DecodeStrings([]byte(stored)); err != nil || out != nil {
			t.Errorf("DecodeStrings(%s) = %#v, %v, want nil", stored, out, err)
		}
	}
}

func TestUnix(t *testing.T) {
	if Unix(time.Time{}) != nil || !FromUnixPtr(nil).IsZero() {
		t.Fatal("the zero time must encode as nil and back")
	}
	in := time.Date(2024, 1, 2, 3, 4, 5, 999, time.FixedZone("X", -7200))
	got := FromUnixPtr(Unix(in))
	if !got.Equal(in.Truncate(time.Second)) || got.Location() != time.UTC {
		t.Fatalf("round trip of %v = %v, want the same second in UTC", in, got)
	}
}

func BenchmarkEncode(b *testing.B) {
	a := goldenArticle()
	a.Content = strings.Repeat("<p>A paragraph of text & more.</p>", 300)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(&a, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeParts(b *testing.B) {
	r, err := Encode(new(goldenArticle()), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var a feeds.Article
		if err := DecodeParts(&a, r.Authors, r.Image, r.Enclosures, r.Categories, r.Page, r.Podcast); err != nil {
			b.Fatal(err)
		}
	}
}

func mustEncode(t *testing.T, a feeds.Article) Row {
	t.Helper()
	r, err := Encode(&a, time.Unix(1700000999, 0))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr(n int64) *int64 { return &n }

func showRow(r Row) string {
	var sb strings.Builder
	v := reflect.ValueOf(r)
	for i := range v.NumField() {
		f := v.Field(i)
		sb.WriteString(v.Type().Field(i).Name + ": ")
		switch x := f.Interface().(type) {
		case []byte:
			sb.WriteString(strings.ToValidUTF8(string(x), "?"))
		case *int64:
			if x == nil {
				sb.WriteString("nil")
			} else {
				sb.WriteString(time.Unix(*x, 0).UTC().Format(time.RFC3339))
			}
		default:
			sb.WriteString(f.String())
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestCategoriesShape: a category that is only a term is stored as a JSON
// string, as all were before schemes and labels, so that existing rows
// read back and re-encode to the same bytes (and hash); one with a scheme
// or label is an object beside them.
func TestCategoriesShape(t *testing.T) {
	tests := []struct {
		name   string
		in     []feeds.Category
		stored string
	}{
		{"BareTerms", feeds.Terms("Politics", "Économie"), `["Politics","Économie"]`},
		{"Mixed", []feeds.Category{{Term: "security", Label: "Security"}, {Term: "go"}, {Term: "a&b", Scheme: "https://s.example/tags"}},
			`[{"term":"security","label":"Security"},"go",{"term":"a&b","scheme":"https://s.example/tags"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustEncode(t, feeds.Article{ID: "1", Source: "s", Categories: tc.in})
			if string(r.Categories) != tc.stored {
				t.Errorf("stored %s, want %s", r.Categories, tc.stored)
			}
			var got feeds.Article
			if err := DecodeParts(&got, nil, nil, nil, r.Categories, nil, nil); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Categories, tc.in) {
				t.Errorf("decoded %+v, want %+v", got.Categories, tc.in)
			}
		})
	}
	// A row written before categories had schemes: EncodeStrings' shape.
	old, err := EncodeStrings([]string{"Politics", "Économie"})
	if err != nil {
		t.Fatal(err)
	}
	var got feeds.Article
	if err := DecodeParts(&got, nil, nil, nil, old, nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := feeds.Terms("Politics", "Économie"); !reflect.DeepEqual(got.Categories, want) {
		t.Errorf("old row decoded %+v, want %+v", got.Categories, want)
	}
	before := mustEncode(t, feeds.Article{ID: "1", Source: "s", Categories: feeds.Terms("Politics", "Économie")})
	if string(before.Categories) != string(old) {
		t.Errorf("bare terms stored as %s, want the old bytes %s", before.Categories, old)
	}
	if err := DecodeParts(&got, nil, nil, nil, []byte(`[1]`), nil, nil); err == nil {
		t.Error("a category that is a number decoded without error")
	}
}

// TestPodcastShape: an episode's iTunes details round-trip at second
// precision, the tri-state explicit flag included; an article without
// them stores NULL, so its hash is what it was before they existed.
func TestPodcastShape(t *testing.T) {
	for _, p := range []*feeds.Podcast{
		{Duration: time.Hour + 2*time.Second, Image: "https://s.example/c.jpg", Explicit: feeds.ExplicitYes},
		{Explicit: feeds.ExplicitNo},
		{Duration: 90 * time.Second},
	} {
		r := mustEncode(t, feeds.Article{ID: "1", Source: "s", Podcast: p})
		var got feeds.Article
		if err := DecodeParts(&got, nil, nil, nil, nil, nil, r.Podcast); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Podcast, p) {
			t.Errorf("decoded %+v from %s, want %+v", got.Podcast, r.Podcast, p)
		}
	}
	none := mustEncode(t, feeds.Article{ID: "1", Source: "s"})
	empty := mustEncode(t, feeds.Article{ID: "1", Source: "s", Podcast: &feeds.Podcast{}})
	if none.Podcast != nil || empty.Podcast != nil || string(none.Hash) != string(empty.Hash) {
		t.Errorf("no podcast stored %s, an empty one %s; hashes equal: %v", none.Podcast, empty.Podcast, string(none.Hash) == string(empty.Hash))
	}
}

// hashBefore is how Encode hashed an article's content before hashJSON:
// the SHA-256 of the Marshal output.
func hashBefore(t testing.TB, v any) []byte {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// TestHashAsBefore holds hashJSON, which streams the encoder's output into
// the hash, to the SHA-256 of Marshal: every stored content hash depends
// on it.
func TestHashAsBefore(t *testing.T) {
	a := goldenArticle()
	r, err := Encode(&a, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	full := contentJSON{ID: r.ID, Source: r.Source, Origin: r.Origin, Title: r.Title, Link: r.Link,
		Summary: r.Summary, Content: strings.Repeat(r.Content, 200), Authors: r.Authors, Image: r.Image,
		Enclosures: r.Enclosures, Categories: r.Categories, Published: r.Published, Updated: r.Updated}
	for _, v := range []any{&full, &contentJSON{}, "x", "line\n", 42, []string{"a\n"}} {
		got, err := hashJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := hashBefore(t, v); !bytes.Equal(got, want) {
			t.Errorf("hashJSON(%.80v) = %x, want %x", v, got, want)
		}
	}
}

// FuzzHashAsBefore is TestHashAsBefore on any text.
func FuzzHashAsBefore(f *testing.F) {
	f.Add("Cats & <Dogs>", "<p>Body\u2028\n</p>", "\xff\x00")
	f.Fuzz(func(t *testing.T, title, content, link string) {
		v := &contentJSON{ID: link, Title: title, Content: content, Summary: content, Link: link}
		got, err := hashJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := hashBefore(t, v); !bytes.Equal(got, want) {
			t.Fatalf("hashJSON = %x, want %x", got, want)
		}
	})
}
