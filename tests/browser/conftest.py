# The browser harness (`browser`, `page`, `login_as`, `live_stack`, `roles`) lives in
# tests/support/browser_harness.py, loaded for every folder by tests/conftest.py, so the whole
# session shares one Playwright and one Chromium wherever its browser tests are.
