/* ds_fields.h: the deal's field vocabulary, defined once.
 *
 * One list per object of a deal, X(NAME, "key", KIND), in the order docs/model.md
 * gives the fields (the decoder reports the first error in this order). The
 * decoder (ds_decode.c) makes its field indexes and key tables from them, the
 * Lua view (dsl_view.c) the names policies read, the CSV mappings the paths a
 * column may fill. A new field is a line here, then its reading, its view and
 * its docs. KIND says what a value is: ID (a string, or a whole number read as
 * its text), STRING, ENUM (a string of a fixed set), NUMBER, BOOL, DATE
 * (YYYY-MM-DD), LIST, OBJECT; and two strings the decoder leaves alone: SELECT
 * (the deal's policy, read by the scorer under --policy-field) and HINT (read by
 * the title rules of core/ds_title.c only). The Lua view shows neither. */
#ifndef DS_FIELDS_H
#define DS_FIELDS_H

#define DS_DEAL_KEYS(X)                                                                            \
    X(ID, "id", ID)                                                                                \
    X(NAME, "name", STRING)                                                                        \
    X(ACCOUNT, "account", STRING)                                                                  \
    X(CURRENCY, "currency", STRING)                                                                \
    X(STAGE, "stage", ENUM)                                                                        \
    X(POLICY, "policy", SELECT)                                                                    \
    X(AMOUNT, "amount", NUMBER)                                                                    \
    X(CLOSE_DATE, "close_date", DATE)                                                              \
    X(AS_OF, "as_of", DATE)                                                                        \
    X(SOLUTION, "solution", OBJECT)                                                                \
    X(STAKEHOLDERS, "stakeholders", LIST)                                                          \
    X(RELATIONSHIPS, "relationships", LIST)                                                        \
    X(OVERRIDE, "override", OBJECT)

/* deal.solution; MEASURABLE and INFERRED are objects of their own */
#define DS_SOLUTION_KEYS(X)                                                                        \
    X(FOR_IT, "for_it", BOOL)                                                                      \
    X(CAPABILITY, "capability", NUMBER)                                                            \
    X(STRATEGIC, "strategic", NUMBER)                                                              \
    X(MEASURABLE, "measurable", OBJECT)                                                            \
    X(IT_WORKLOAD, "it_workload", NUMBER)                                                          \
    X(IT_BURDEN_FRAMED, "it_burden_framed", BOOL)                                                  \
    X(IT_CAREER, "it_career", NUMBER)                                                              \
    X(IN_HOUSE_ALTERNATIVE, "in_house_alternative", NUMBER)                                        \
    X(DATA_READINESS, "data_readiness", NUMBER)                                                    \
    X(SECURITY_RISK, "security_risk", NUMBER)                                                      \
    X(USER_CHANGE, "user_change", NUMBER)                                                          \
    X(USER_TRANSPARENCY, "user_transparency", NUMBER)                                              \
    X(USER_BENEFIT, "user_benefit", NUMBER)                                                        \
    X(USERS_CONSULTED, "users_consulted", BOOL)                                                    \
    X(PROTOTYPE, "prototype", BOOL)                                                                \
    X(INFERRED, "inferred", OBJECT)

/* deal.solution.measurable */
#define DS_MEASURABLE_KEYS(X)                                                                      \
    X(ANNUAL_BENEFIT, "annual_benefit", NUMBER)                                                    \
    X(COST, "cost", NUMBER)                                                                        \
    X(PAYBACK_MONTHS, "payback_months", NUMBER)                                                    \
    X(CONFIDENCE, "confidence", NUMBER)

/* deal.stakeholders[i]; BENEFITS, CONVINCED and INFERRED are objects of their own */
#define DS_STAKEHOLDER_KEYS(X)                                                                     \
    X(ID, "id", ID)                                                                                \
    X(DEPARTMENT, "department", HINT)                                                              \
    X(NAME, "name", STRING)                                                                        \
    X(TITLE, "title", STRING)                                                                      \
    X(FUNCTION, "function", ENUM)                                                                  \
    X(LEVEL, "level", ENUM)                                                                        \
    X(ROLES, "roles", LIST)                                                                        \
    X(CAN_BUY, "can_buy", BOOL)                                                                    \
    X(INFLUENCE, "influence", NUMBER)                                                              \
    X(STANCE, "stance", NUMBER)                                                                    \
    X(BENEFITS, "benefits", OBJECT)                                                                \
    X(CONVINCED, "convinced", OBJECT)                                                              \
    X(AI_INTEREST, "ai_interest", NUMBER)                                                          \
    X(BURDEN, "burden", NUMBER)                                                                    \
    X(CREDIBILITY_THREAT, "credibility_threat", NUMBER)                                            \
    X(FIRST_CONTACT, "first_contact", DATE)                                                        \
    X(LAST_CONTACT, "last_contact", DATE)                                                          \
    X(EXPECTATION_GAP, "expectation_gap", NUMBER)                                                  \
    X(INFERRED, "inferred", OBJECT)

/* deal.stakeholders[i].benefits and .convinced (in ds_conviction order) */
#define DS_BENEFITS_KEYS(X)                                                                        \
    X(WORK, "work", NUMBER)                                                                        \
    X(CAREER, "career", NUMBER)
#define DS_CONVINCED_KEYS(X)                                                                       \
    X(CAPABILITY, "capability", BOOL)                                                              \
    X(STRATEGIC, "strategic", BOOL)                                                                \
    X(MEASURABLE, "measurable", BOOL)

/* deal.relationships[k] */
#define DS_RELATIONSHIP_KEYS(X)                                                                    \
    X(FROM, "from", ID)                                                                            \
    X(TO, "to", ID)                                                                                \
    X(TYPE, "type", ENUM)                                                                          \
    X(STRENGTH, "strength", NUMBER)

/* deal.override */
#define DS_OVERRIDE_KEYS(X) X(VIABILITY, "viability", NUMBER)

/* the key as a string, for key tables: DS_DEAL_KEYS(DS_FIELD_KEY) */
#define DS_FIELD_KEY(name, key, kind) key,

#endif
