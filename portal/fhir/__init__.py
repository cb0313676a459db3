"""The patient's data as HL7 FHIR R4: the patient's downloads ('Ladda ner mina uppgifter': the FHIR bundle, a
readable summary, the access log as CSV) and the read API for a care provider's own systems, with OAuth 2.0 client
credentials (the portal issues the tokens itself) and the import of booked times."""

from __future__ import annotations

from flask import Blueprint, Flask


def init_app(app: Flask) -> None:
    from portal.extensions import csrf
    from portal.fhir import api, commands, oauth, patient

    oauth.init_app(app)
    feature = Blueprint("fhir", __name__, template_folder="templates")
    feature.register_blueprint(patient.bp)
    feature.register_blueprint(api.bp)
    feature.register_blueprint(api.token_bp)
    app.register_blueprint(feature)
    api.exempt(csrf.exempt)
    app.cli.add_command(commands.api_client)
