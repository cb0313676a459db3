"""The CapabilityStatement at /fhir/R4/metadata: what another system can read and post here, and how it gets in."""

from __future__ import annotations

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

FHIR_VERSION = "4.0.1"  # R4; the models we check with are R4B's (see mapping.py), the JSON is the same
READS = {
    "Patient": ("patient.read", [("_id", "token"), ("identifier", "token")]),
    "CarePlan": ("careplan.read", [("patient", "reference"), ("status", "token")]),
    "QuestionnaireResponse": ("questionnaireresponse.read", [("patient", "reference")]),
}


def statement(base: str, token_url: str) -> CapabilityStatement:
    """A server that reads three resources and takes booked Appointments, behind OAuth 2.0 client credentials."""
    resources = [{"type": kind, "interaction": [{"code": "read"}, {"code": "search-type"}],
                  "searchParam": [{"name": name, "type": kind_of} for name, kind_of in params],
                  "documentation": f"Scope {scope}. Only patients with a plan at the client's care provider."}
                 for kind, (scope, params) in READS.items()]
    resources.append({"type": "Appointment", "interaction": [{"code": "create"}],
                      "documentation": "Scope appointment.write. Books, completes or cancels the plan item named "
                                       "by the identifier https://vardplan.example/fhir/sid/plan-item."})
    return CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement", "status": "active", "date": "2026-12-01", "kind": "instance",
        "software": {"name": "Min vårdplan"}, "implementation": {"description": "Min vårdplan FHIR API",
                                                                  "url": base},
        "fhirVersion": FHIR_VERSION, "format": ["application/fhir+json"],
        "rest": [{"mode": "server", "security": {
            "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                     "code": "OAuth"}]}],
            "description": f"OAuth 2.0 client credentials: POST {token_url}, then Authorization: Bearer <token>."},
            "resource": resources}]})
