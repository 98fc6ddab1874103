# Writes OUTPUT, the copyright file of the Debian package, in Debian's
# machine-readable format: .reuse/dep5 (the licence of every file), then one
# stand-alone License paragraph per licence it names, with the text from
# LICENSES/ (Apache-2.0 and CC0-1.0 point to the copies every Debian system has).
# Usage: cmake -DSOURCE_DIR=... -DOUTPUT=... -P BrandmonCopyright.cmake

file(READ "${SOURCE_DIR}/.reuse/dep5" copyright)
string(REGEX REPLACE "\n+$" "\n" copyright "${copyright}")
string(APPEND copyright "
License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the \"License\"); you may not
 use this file except in compliance with the License.
 .
 On Debian systems, the full text of the Apache License, Version 2.0 is in
 /usr/share/common-licenses/Apache-2.0.

License: CC0-1.0
 To the extent possible under law, the person who associated CC0 with the
 work has waived all copyright and related or neighboring rights to it.
 .
 On Debian systems, the full text of the CC0 1.0 Universal licence is in
 /usr/share/common-licenses/CC0-1.0.
")
foreach(license MIT CC-BY-SA-3.0 CC-BY-SA-4.0)
  # Each line indented by one space, a blank line written " ." (read as a
  # whole: file(STRINGS) would split lines at semicolons).
  file(READ "${SOURCE_DIR}/LICENSES/${license}.txt" text)
  string(REGEX REPLACE "\n+$" "" text "${text}")
  string(REPLACE "\n" "\n " text "${text}")
  string(REGEX REPLACE "\n [ \t]*\n" "\n .\n" text "${text}")
  string(REGEX REPLACE "\n [ \t]*\n" "\n .\n" text "${text}")
  string(APPEND copyright "\nLicense: ${license}\n ${text}\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "${copyright}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
