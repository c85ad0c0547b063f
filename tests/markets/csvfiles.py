"""Playbook CSV used by the import tests and the browser walk."""

GOOD_AND_BAD = (
    "market,title,kind,steps,cadence,open_rate,ctr,completion_rate,uplift,results_source,"
    "results_date,notes,tags,applicability\n"
    "BR,Recordatorio de misión por WhatsApp,mission,whatsapp@0:announce;push@3:remind;email@6:recap,"
    "weekly,48.5%,12.1,35,18,Shop BR creator report,2026-05-01,Short voice-note style,"
    '"whatsapp, missions",4\n'
    "US,Bad channel,mission,fax@0:announce,,,,,,,,,,3\n"
    "ID,Live academy push,education,push@0:invite;inbox@2:recap,daily,31,9.5,,,Seller University,"
    "2026-03-10,,education,5\n"
    "ZZ,Unknown market,mission,push@0:x,,,,,,,,,,\n"
    "GB,Bad rate and rating,competition,email@0:announce,,140,,,,,,,,9\n"
    "CO,Reto de ventas,competition,whatsapp@0:announce;whatsapp@5:leaderboard,,52,14,,6,,,,,3\n"
)
