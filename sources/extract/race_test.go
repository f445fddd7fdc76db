//go:build race

package extract

// raceEnabled is true in a build with the race detector.
const raceEnabled = true
