"""Unit tests of the scoring wrapper's auth check (run by server.test.ts through python3 -m unittest)."""
import hmac
import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.environ["SERVER_DIR"])
import server  # noqa: E402


class AuthTests(unittest.TestCase):
    def test_no_key_configured_allows_everything(self):
        self.assertTrue(server.is_authorized(None, None))
        self.assertTrue(server.is_authorized("Bearer x", ""))

    def test_missing_wrong_or_non_bearer_is_refused(self):
        self.assertFalse(server.is_authorized(None, "k1"))
        self.assertFalse(server.is_authorized("", "k1"))
        self.assertFalse(server.is_authorized("Bearer k2", "k1"))
        self.assertFalse(server.is_authorized("Basic k1", "k1"))
        self.assertFalse(server.is_authorized("Bearer k1x", "k1"))
        self.assertFalse(server.is_authorized("Bearer \u00e9\u00e9", "k1"))  # non-ASCII must not raise

    def test_right_key_is_accepted(self):
        self.assertTrue(server.is_authorized("Bearer k1", "k1"))
        self.assertTrue(server.is_authorized("bearer k1", "k1"))

    def test_comparison_is_hmac_compare_digest(self):
        with mock.patch.object(server.hmac, "compare_digest", wraps=hmac.compare_digest) as spy:
            self.assertTrue(server.is_authorized("Bearer secret-key", "secret-key"))
            self.assertFalse(server.is_authorized("Bearer other-key!", "secret-key"))
        self.assertEqual(spy.call_count, 2)
        for call in spy.call_args_list:
            self.assertIsInstance(call.args[0], bytes)
            self.assertIsInstance(call.args[1], bytes)


if __name__ == "__main__":
    unittest.main()
