#!/usr/bin/env python3
"""Prints one closing line, 'N passed, N failed, N skipped', counting every
test case meson ran (each GoogleTest case separately) from its JUnit log, and
those of any further JUnit files given (pytest's --junitxml)."""
import sys
import xml.etree.ElementTree as ET

def cases(junit_paths):
    for path in junit_paths:
        yield from ET.parse(path).getroot().iter("testcase")


def main(junit_paths):
    passed = failed = skipped = 0
    failures = []
    for case in cases(junit_paths):
        name = f"{case.get('classname')}.{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failures.append(name)
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    for name in failures:
        print(f"FAILED: {name}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
