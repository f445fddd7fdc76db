package xmlcheck_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/xmlcheck"
)

func TestWellFormed(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		ok        bool
	}{
		{"simple", `<?xml version="1.0"?><a><b x="1">t</b></a>`, true},
		{"trailing space", "<a/>\n\n", true},
		{"unclosed", `<a><b></a>`, false},
		{"truncated", `<a><b>`, false},
		{"undefined entity", `<a>&lol;</a>`, false},
		{"control character", "<a>\x01</a>", false},
		{"invalid utf-8", "<a>\xff</a>", false},
		{"two roots", `<a/><b/>`, false},
		{"text after root", `<a/>junk`, false},
		{"empty", ``, false},
		{"bare ampersand", `<a>AT&T</a>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := xmlcheck.WellFormed([]byte(tc.doc))
			if (err == nil) != tc.ok {
				t.Errorf("WellFormed(%q) = %v, want ok=%v", tc.doc, err, tc.ok)
			}
		})
	}
}

const validAtom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>` +
	`<updated>2020-01-01T00:00:00Z</updated><author><name>a</name></author></feed>`

// TestSetValidate proves the batching maps each of jing's complaints back
// to the document it is about, across several runs, and that valid
// documents draw none.
func TestSetValidate(t *testing.T) {
	j, err := xmlcheck.AtomValidator(".")
	if err != nil {
		xmlcheck.RequireTool(t, "%v", err)
	}
	j.BatchSize = 2 // three runs for five documents
	s := xmlcheck.NewSet(t.TempDir())
	docs := map[string]string{
		"good1":     validAtom,
		"no-id":     strings.Replace(validAtom, "<id>urn:x</id>", "", 1),
		"good2":     validAtom,
		"malformed": `<feed`,
		"good3":     validAtom,
	}
	for _, label := range []string{"good1", "no-id", "good2", "malformed", "good3"} {
		if err := s.Add(label, []byte(docs[label])); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := s.Validate(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 || problems["no-id"] == nil || problems["malformed"] == nil {
		t.Fatalf("problems = %q, want exactly no-id and malformed", problems)
	}
	if !strings.Contains(strings.Join(problems["no-id"], " "), "id") {
		t.Errorf("no-id: %q does not mention the missing id", problems["no-id"])
	}
}

// TestValidateBrokenSchema proves a jing failure that is about no document
// is an error, not a silent pass.
func TestValidateBrokenSchema(t *testing.T) {
	j, err := xmlcheck.AtomValidator(".")
	if err != nil {
		xmlcheck.RequireTool(t, "%v", err)
	}
	dir := t.TempDir()
	s := xmlcheck.NewSet(dir)
	if err := s.Add("doc", []byte(validAtom)); err != nil {
		t.Fatal(err)
	}
	j.Schema = dir + "/missing.rnc"
	if _, err := s.Validate(context.Background(), j); err == nil {
		t.Fatal("Validate with a missing schema returned no error")
	}
}

func TestDates(t *testing.T) {
	rss := `<rss><channel><pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate>` +
		`<item><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate><x:updated xmlns:x="urn:x"> 2024-01-02T03:04:05Z </x:updated></item></channel></rss>`
	dates, err := xmlcheck.Dates([]byte(rss))
	if err != nil {
		t.Fatal(err)
	}
	want := []xmlcheck.Date{
		{Name: "pubDate", Value: "Tue, 02 Jan 2024 03:04:05 +0000"},
		{Name: "pubDate", Value: "Mon, 01 Jan 0001 00:00:00 GMT", InItem: true},
		{Name: "updated", Value: "2024-01-02T03:04:05Z", InItem: true},
	}
	if !slices.Equal(dates, want) {
		t.Fatalf("Dates = %+v, want %+v", dates, want)
	}
	for i, wantErr := range []bool{false, true, false} {
		if _, err := dates[i].Time(); (err != nil) != wantErr {
			t.Errorf("%+v: Time error %v, want error %v", dates[i], err, wantErr)
		}
	}
}
