package extract

import "testing"

func TestParseCredit(t *testing.T) {
	tests := []struct {
		name, caption, credit, rest string
	}{
		{"image from", "Image from FBI", "FBI", ""},
		{"photo colon", "Photo: Jane Doe/Reuters", "Jane Doe/Reuters", ""},
		{"courtesy of", "Courtesy of NASA", "NASA", ""},
		{"trailing photo by in parentheses", "A crowd in Berlin. (Photo by John Smith/Getty Images)", "John Smith/Getty Images", "A crowd in Berlin."},
		{"credit colon", "Credit: AP", "AP", ""},
		{"image credit", "Image credit: NASA/JPL-Caltech", "NASA/JPL-Caltech", ""},
		{"picture colon", "Picture: Tom Jones", "Tom Jones", ""},
		{"copyright sign", "© Jane Doe", "Jane Doe", ""},
		{"copyright sign with year", "© 2021 Reuters", "Reuters", ""},
		{"copyright word", "Copyright 2019 The Associated Press. All rights reserved.", "The Associated Press", ""},
		{"source", "Source: Wikimedia Commons", "Wikimedia Commons", ""},
		{"ap photo in parentheses", "(AP Photo/Evan Vucci)", "AP Photo/Evan Vucci", ""},
		{"caption then ap photo", "President Trump speaks in the Rose Garden. (AP Photo/Evan Vucci)", "AP Photo/Evan Vucci", "President Trump speaks in the Rose Garden."},
		{"no credit", "A sunset over the bay", "", "A sunset over the bay"},
		{"photo of is not a credit", "A photo of the crowd in Berlin", "", "A photo of the crowd in Berlin"},
		{"long from is a caption", "Image from the FBI's most wanted list shows the suspect in a parking lot in 2015", "", "Image from the FBI's most wanted list shows the suspect in a parking lot in 2015"},
		{"trailing sentence", "The launch pad at dawn. Photo: NASA", "NASA", "The launch pad at dawn."},
		{"trailing guardian style", "Protesters in Parliament Square. Photograph: Sean Smith/The Guardian", "Sean Smith/The Guardian", "Protesters in Parliament Square."},
		{"pipe separator", "Firefighters at work | Photo by Jane Doe", "Jane Doe", "Firefighters at work"},
		{"photo by with initial", "Crowds at the gate. Photo by A. Smith/Reuters", "A. Smith/Reuters", "Crowds at the gate."},
		{"name slash agency", "Supporters cheer in Des Moines. Evan Vucci/AP", "Evan Vucci/AP", "Supporters cheer in Des Moines."},
		{"agency in parentheses", "A man walks his dog in the snow (Reuters)", "Reuters", "A man walks his dog in the snow"},
		{"photo courtesy", "Photo courtesy of the White House", "the White House", ""},
		{"image via", "Image via Twitter", "Twitter", ""},
		{"illustration by", "Illustration by Ann Lee", "Ann Lee", ""},
		{"photo credit", "Photo credit: Jane Doe.", "Jane Doe", ""},
		{"bracketed credit", "The old mill [Photo: County Archives]", "County Archives", "The old mill"},
		{"dash separator", "Flooded streets in Venice - Getty Images", "Getty Images", "Flooded streets in Venice"},
		{"whitespace collapsed", "  Image\n from   FBI ", "FBI", ""},
		{"empty", "", "", ""},
		// "from" and "via" credit only a party that looks like a name.
		{"video from a scene is a caption", "Video from the scene shows police arriving", "", "Video from the scene shows police arriving"},
		{"footage from a scene is a caption", "Footage from the scene shows the fire", "", "Footage from the scene shows the fire"},
		{"pictures from an event are a caption", "Pictures from the rally", "", "Pictures from the rally"},
		{"trailing image from a place is a caption", "Flooded streets. Images from the lower town", "", "Flooded streets. Images from the lower town"},
		{"image from the white house", "Image from the White House", "the White House", ""},
		{"a platform's user", "Photo via Flickr user jdoe", "Flickr user jdoe", ""},
		{"a name with a qualifier", "Image via Wikimedia Commons, public domain", "Wikimedia Commons, public domain", ""},
		{"video from a named place is a caption", "Video from Dallas shows police arriving at the scene", "", "Video from Dallas shows police arriving at the scene"},
		{"short video from a named place is a caption", "Video from Dallas shows fire", "", "Video from Dallas shows fire"},
		{"footage from a named place is a caption", "Footage from Gaza shows destruction", "", "Footage from Gaza shows destruction"},
		{"photos from a day are a caption", "Photos from Monday's protest", "", "Photos from Monday's protest"},
		{"video from a night is a caption", "Video from Sunday night", "", "Video from Sunday night"},
		{"a comma that goes on with the caption", "Video from Dallas, where police arrived", "", "Video from Dallas, where police arrived"},
		{"a YouTube channel", "Video via YouTube channel bob", "YouTube channel bob", ""},
		{"image from nasa jpl", "Image from NASA/JPL", "NASA/JPL", ""},
		{"video from an agency", "Video from the Department of Homeland Security", "the Department of Homeland Security", ""},
		{"footage via a handle", "Footage via @cityfire", "@cityfire", ""},
		{"trailing screenshot from a site", "The mayor's post. Screenshot from Twitter", "Twitter", "The mayor's post."},
		{"parenthesis that is not a credit", "The mayor (left) greets the crowd", "", "The mayor (left) greets the crowd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			credit, rest := ParseCredit(tt.caption)
			if credit != tt.credit || rest != tt.rest {
				t.Errorf("ParseCredit(%q) = (%q, %q), want (%q, %q)", tt.caption, credit, rest, tt.credit, tt.rest)
			}
		})
	}
}

func BenchmarkParseCredit(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParseCredit("President Trump speaks in the Rose Garden. (AP Photo/Evan Vucci)")
		ParseCredit("A sunset over the bay, seen from the old pier at the end of the summer")
	}
}

// TestCaptionCredit: a caption is kept as written beside its credit, the
// credit the source names winning over the one the caption names.
func TestCaptionCredit(t *testing.T) {
	for _, tt := range []struct{ caption, credit, wantCaption, wantCredit string }{
		{"Image from FBI", "", "Image from FBI", "FBI"},
		{"The pad at dawn. Photo: NASA", "", "The pad at dawn. Photo: NASA", "NASA"},
		{"The pad at dawn.", "", "The pad at dawn.", ""},
		{"Image from FBI", "Federal Bureau", "Image from FBI", "Federal Bureau"},
		{"  A  crowd.\n", " AP ", "A crowd.", "AP"},
		{"", "AP", "", "AP"},
	} {
		caption, credit := CaptionCredit(tt.caption, tt.credit)
		if caption != tt.wantCaption || credit != tt.wantCredit {
			t.Errorf("CaptionCredit(%q, %q) = %q, %q; want %q, %q", tt.caption, tt.credit, caption, credit, tt.wantCaption, tt.wantCredit)
		}
	}
}
