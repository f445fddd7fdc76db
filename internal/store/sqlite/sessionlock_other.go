//go:build !linux

package sqlite

import (
	"errors"
	"os"
)

// sessionLocks says that this system lacks open-file-description locks:
// Open runs the full integrity check every time, as Tributary always did,
// and records no session.
const sessionLocks = false

func holdByte(*os.File, int64) error {
	return errors.New("no open-file-description locks on this system")
}

func byteHeld(*os.File, int64) (bool, error) { return true, nil }
