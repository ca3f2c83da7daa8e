"""Log records without people in them: the rules every Python process of the project applies.

``log_privacy.records`` masks credentials, application numbers and phone numbers in a
record's message, writes tracebacks without exception messages, and installs a record
factory so that every record a process creates passes those rules. It is used by the app
processes (``ieomoa/logging_setup.py``) and by the Rasa server (``nlu/ieomoa_nlu/log_privacy.py``),
which run in different Python environments; so it imports nothing but the standard library
and is installed into both (``pip install -e log_privacy`` for Rasa's, the project's own
package list for the app's).
"""
