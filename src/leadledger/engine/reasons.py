"""Why a verdict is what it is: rule IDs with their sentence, in Chinese and in English.

A fold records `Reason(code, params)` only; the sentence is formatted when someone reads it, so
rebuilding a million events pays for no text it never shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

# code: (rule, zh, en). Placeholders are filled by `Describer.render`.
MESSAGES: dict[str, tuple[str, str, str]] = {
    "first_contact": (
        "IH-1",
        "{owner}于 {at} 首次登记来访",
        "{owner} registered the first visit on {at}",
    ),
    "claimed_afresh": (
        "IH-1",
        "{owner}于 {at} 登记来访，重新取得归属",
        "{owner} registered the visit on {at} and claims the customer afresh",
    ),
    "household": (
        "ID-3",
        "本客户与{member}经核实为同一家庭（配偶或三代以内直系亲属），在案场按同一客户计",
        "this customer and {member} are one verified household (spouse or lineal relatives within three "
        "generations), one customer in-house",
    ),
    "first_contact_member": (
        "IH-10",
        "{owner}于 {at} 首次接待其家庭成员{member}，同一家庭归同一人",
        "{owner} first received household member {member} on {at}; one household is one customer",
    ),
    "same_record": (
        "ID-1",
        "{member}与本客户是同一人（同一手机号或已核实），按同一客户计",
        "{member} is the same person (same mobile number, or verified), so one customer",
    ),
    "masked_candidate": (
        "ID-2",
        "隐号报备 {records} 可能是同一客户，隐号不自动合并，需人工判断",
        "masked registration {records} may be this customer; a mask never merges silently: a person must judge",
    ),
    "unverified_relation": (
        "ID-4",
        "{a}与{b}的关系尚未核实，不影响归属",
        "the relation between {a} and {b} is not verified and changes nothing",
    ),
    "phone_first_contact": (
        "IH-3",
        "{owner}于 {at} 首次接听/拨打电话，按本项目规定电话接待即为首次接待",
        "{owner} took the first call on {at}, which this project counts as first contact",
    ),
    "call_no_claim": (
        "IH-3",
        "{staff}于 {at} 的电话不构成归属",
        "{staff}'s call on {at} gives no claim",
    ),
    "unregistered": (
        "IH-2",
        "{staff}于 {at} 接待未登记，不构成归属",
        "{staff} did not register the visit on {at}, which gives no claim",
    ),
    "referral_logged": (
        "IH-8",
        "{owner}于 {logged} 预先登记了老客户{referrer}介绍的客户，{at} 到访时归{owner}",
        "{owner} logged on {logged} that {referrer} would introduce this customer, so the visit on {at} is {owner}'s",
    ),
    "own_contact_logged": (
        "IH-9",
        "{owner}于 {logged} 预先登记了自己的亲友，{at} 到访时归{owner}",
        "{owner} logged on {logged} their own relative or friend, so the visit on {at} is {owner}'s",
    ),
    "referral_unowned": (
        "IH-8",
        "{staff}于 {logged} 登记的介绍人{referrer}不是其客户，预先登记无效",
        "{staff}'s referral logged on {logged} names {referrer}, who is not their customer: it gives nothing",
    ),
    "asked_for": (
        "IH-8",
        "客户 {at} 到访时指名找{owner}",
        "on arrival on {at} the customer asked for {owner}",
    ),
    "employee_named": (
        "IH-14",
        "公司员工{employee}介绍的客户，归其指定的{owner}",
        "introduced by employee {employee}, the customer goes to the consultant they named, {owner}",
    ),
    "employee_rotation": (
        "IH-14",
        "公司员工{employee}介绍的客户按轮序分配给接待的{owner}",
        "introduced by employee {employee}, the customer goes by the rotation to the receiver, {owner}",
    ),
    "company_referral": (
        "IH-15",
        "公司关系户按轮序分配给接待的{owner}",
        "a company referral goes by the rotation to the receiver, {owner}",
    ),
    "site_split": (
        "IH-17",
        "同一天{sites}两个售楼处分别首次接待，归属平分：{owners}",
        "first received on the same day at {sites} by different consultants: shared by {owners}",
    ),
    "pending": (
        "IH-4",
        "须在 {deadline} 前追访，否则归属作废",
        "a follow-up is due by {deadline} or the claim is void",
    ),
    "followed_up": (
        "IH-4",
        "{at} 已追访",
        "followed up on {at}",
    ),
    "valid_until": (
        "IH-5",
        "归属有效至 {until}",
        "the claim is valid until {until}",
    ),
    "void": (
        "IH-4",
        "{owner}于 {at} 登记后未在 {deadline} 前追访，归属已作废，客户无归属",
        "{owner} registered on {at} but did not follow up by {deadline}, so the claim is void and the customer is free",
    ),
    "afresh_after_void": (
        "IH-4",
        "此前{previous}的归属因未追访而作废",
        "{previous}'s earlier claim was void for want of a follow-up",
    ),
    "assist": (
        "IH-11",
        "{staff}于 {at} 接待的是{owner}的客户，记为协助，不改变归属",
        "{staff} received {owner}'s customer on {at}: an assist, ownership unchanged",
    ),
    "assist_no_claim": (
        "IH-11",
        "{staff}于 {at} 的登记发生在{owner}的归属期内，只算协助，归属作废后也不取得归属",
        "{staff}'s registration on {at} came while the customer was {owner}'s: an assist, which gives no "
        "claim even after that claim became void",
    ),
    "renewed": (
        "IH-6",
        "{owner}于 {at} 经{approver}批准重新登记",
        "{owner} renewed on {at} with {approver}'s approval",
    ),
    "renewal_ignored": (
        "IH-6",
        "{staff}于 {at} 的重新登记无效（{why}）",
        "{staff}'s renewal on {at} is ignored ({why})",
    ),
    "lapsed": (
        "IH-7",
        "归属已于 {until} 到期，在他人登记之前仍归{owner}（已过期）",
        "the claim expired on {until}; until someone else registers the customer it stays {owner}'s, lapsed",
    ),
    "contest_kept": (
        "IH-7",
        "{staff}于 {at} 登记时，{owner}在此前 {grace} 天内（{contact}）有追访，保留归属",
        "when {staff} registered on {at}, {owner} had followed up within the {grace} days before "
        "({contact}), so {owner} keeps the customer",
    ),
    "contest_lost": (
        "IH-7",
        "{owner}的归属已于 {until} 到期，且在{staff}于 {at} 登记前 {grace} 天内无追访，归属转为{staff}",
        "{owner}'s claim expired on {until} with no follow-up in the {grace} days before {staff} "
        "registered on {at}, so the customer is {staff}'s afresh",
    ),
    "ruling": (
        "IH-16",
        "{by}于 {at} 裁定归{owner}（{reason}）",
        "{by} ruled on {at} that the customer is {owner}'s ({reason})",
    ),
    "transfer": (
        "IH-12",
        "经{by}同意由{previous}转给{owner}",
        "{by} accepted the change from {previous} to {owner}",
    ),
    "ruling_pool": (
        "IH-16",
        "{by}于 {at} 裁定客户回归公共池（{reason}）",
        "{by} ruled on {at} that the customer returns to the pool ({reason})",
    ),
    "ruling_ignored": (
        "IH-16",
        "{by}于 {at} 的裁定无效：只有经理可以裁定",
        "{by}'s ruling on {at} is ignored: only a manager may rule",
    ),
    "departed_pool": (
        "IH-13",
        "{staff}于 {at} 离职，客户回归销售部公共池",
        "{staff} left on {at}; the customer returned to the sales department's pool",
    ),
    "departed_share": (
        "IH-13",
        "{staff}于 {at} 离职，客户由{owners}继续负责",
        "{staff} left on {at}; {owners} keeps the customer",
    ),
    "pool_new": (
        "IH-13",
        "客户此前在公共池，本次登记重新界定",
        "the customer was in the pool, so this registration claims them afresh",
    ),
    "pool_signed": (
        "IH-13",
        "已成交客户在公共池，登记不重新界定归属",
        "a customer with a deal stays in the pool when registered again",
    ),
    "departed_staff": (
        "IH-13",
        "{staff}已离职，其 {at} 的记录不计",
        "{staff} has left; their record of {at} does not count",
    ),
    "free": (
        "IH-1",
        "尚无有效的来访登记，客户无归属",
        "no registered visit gives a claim yet: the customer is free",
    ),
    # distributor
    "d_valid": (
        "D-1",
        "{agent}（{distributor}）于 {at} 带看确认，此前 {lookback} 天内无自然到访记录",
        "{agent} ({distributor}) escorted the customer on {at} with no in-house contact in the {lookback} days before",
    ),
    "d_protected": (
        "D-2",
        "分销保护期至 {until}",
        "distributor protection until {until}",
    ),
    "d_house": (
        "D-1",
        "{agent}于 {at} 的带看无效：{who}于 {contact} 已有自然到访/来电记录（{lookback} 天内），属开发商客户",
        "{agent}'s escorted visit on {at} is not valid: {who} had in-house contact on {contact} within "
        "{lookback} days, so the customer is the house's",
    ),
    "d_other_phone": (
        "D-7",
        "该客户以另一号码（{record}）与案场有过接触，确认单作废",
        "the customer, under another number ({record}), had in-house contact: the confirmation is void",
    ),
    "d_renewed": (
        "D-3",
        "{agent}于 {at} 在到期前 {window} 天内再次带看续期，保护期延至 {until}",
        "{agent} escorted the customer again on {at}, within {window} days of expiry, renewing "
        "protection until {until}",
    ),
    "d_public": (
        "D-3",
        "分销保护期已于 {until} 到期且未续期，现为公客",
        "distributor protection ended on {until} without renewal: the customer is public",
    ),
    "d_reclaim": (
        "D-4",
        "保护期失效后{agent}于 {at} 重新带看，案场接触不影响新的确认",
        "after protection lapsed {agent} escorted the customer again on {at}; in-house contact does "
        "not disqualify the new claim",
    ),
    "d_first_keeps": (
        "D-8",
        "{agent}于 {at} 的带看不改变归属：{holder}先确认且仍在保护期内",
        "{agent}'s escorted visit on {at} changes nothing: {holder} confirmed first and is still protected",
    ),
    "d_simultaneous": (
        "D-9",
        "{agents}同时带客户到场，平分",
        "{agents} arrived with the customer at the same moment and split it",
    ),
    "d_none": (
        "D-1",
        "无分销带看确认，属开发商自然来访",
        "no distributor confirmation: a natural visit to the house",
    ),
    "d_expired_at_deal": (
        "D-2",
        "成交于 {at}，已超过分销保护期（至 {until}），属开发商",
        "the deal on {at} came after distributor protection ended on {until}: the house's",
    ),
    "d_named_buyer": (
        "D-5",
        "确认人{confirmed}与购买人{buyer}为已核实的{kind}关系，归先确认的{agent}",
        "confirmed {confirmed} and buyer {buyer} are verified {kind}: the deal is {agent}'s, who confirmed first",
    ),
    "d_buyer_own": (
        "D-5",
        "购买人{buyer}由{agent}确认，归购买人自己的分销",
        "buyer {buyer} was confirmed by {agent}: the deal goes to the buyer's own distributor",
    ),
    "d_named_buyer_unverified": (
        "D-5",
        "确认人{confirmed}与购买人{buyer}无已核实的夫妻/父母子女/男女朋友/兄弟姐妹关系，属开发商",
        "confirmed {confirmed} and buyer {buyer} have no verified spouse, parent/child, partner or "
        "sibling relation: the house's",
    ),
    "d_needs_verification": (
        "D-10",
        "{a}与{b}的关系尚未由渠道专员核实（需客户情况说明表与证据），暂不生效",
        "the relation between {a} and {b} is not yet verified by the channel team (situation form and "
        "evidence needed), so it has no effect",
    ),
    "d_companion": (
        "D-6",
        "同行的{kind}{buyer}随{confirmed}到场当场购买，关系已核实，归{agent}",
        "{buyer}, a verified {kind} who came with {confirmed} and bought on the spot, is {agent}'s",
    ),
    "d_companion_unverified": (
        "D-6",
        "同行人{buyer}当场购买，但与{confirmed}的关系未核实，属开发商",
        "{buyer} bought on the spot but the relation to {confirmed} is not verified: the house's",
    ),
    # registrations, rulings and appeals (D-11..D-13)
    "d_valid_registered": (
        "D-11",
        "{agent}（{distributor}）于 {registered} 报备、{at} 带看确认，报备前 {lookback} 天内无自然到访记录",
        "{agent} ({distributor}) registered the customer on {registered} and escorted them on {at}, with no "
        "in-house contact in the {lookback} days before the registration",
    ),
    "d_registration_claim": (
        "D-11",
        "{agent}（{distributor}）于 {at} 报备成功，本项目报备即确认，报备前 {lookback} 天内无自然到访记录",
        "{agent} ({distributor}) registered the customer on {at}; in this project the registration is the "
        "claim, with no in-house contact in the {lookback} days before it",
    ),
    "d_reclaim_registered": (
        "D-4",
        "保护期失效后{agent}于 {at} 重新报备，案场接触不影响新的确认",
        "after protection lapsed {agent} registered the customer again on {at}; in-house contact does not "
        "disqualify the new claim",
    ),
    "d_registered": (
        "D-11",
        "{agent}已报备，保护至 {until}，以带看到访确认",
        "{agent} has registered the customer, protected until {until}; the claim starts at the escorted visit",
    ),
    "d_unregistered": (
        "D-11",
        "{agent}于 {at} 的带看无有效报备（须在到访前 {lead} 分钟至 {days} 天内报备），属开发商",
        "{agent}'s escorted visit on {at} had no valid registration (made {lead} minutes to {days} days "
        "before the visit): the house's",
    ),
    "d_registered_late": (
        "D-11",
        "{agent}于 {registered} 报备、{at} 即带看，报备不足 {lead} 分钟（防截客），属开发商",
        "{agent} registered on {registered} and escorted the customer on {at}, less than {lead} minutes "
        "later (no registering at the door): the house's",
    ),
    "d_unregistered_report": (
        "D-11",
        "{agent}于 {at} 的带看无有效报备，本项目以报备确认，带看本身不产生保护",
        "{agent}'s escorted visit on {at} had no accepted registration; in this project only a registration claims",
    ),
    "d_ruling": (
        "D-10",
        "{by}于 {at} 渠道裁定归{agent}：{why}",
        "{by} ruled on {at} that the customer is {agent}'s: {why}",
    ),
    "d_ruling_house": (
        "D-10",
        "{by}于 {at} 渠道裁定属开发商：{why}",
        "{by} ruled on {at} that the customer is the house's: {why}",
    ),
    "d_ruling_ignored": (
        "D-10",
        "{by}于 {at} 的渠道裁定无效：只有渠道经理或管理层可以裁定",
        "{by}'s channel ruling on {at} is ignored: only the channel manager or management may rule",
    ),
    "d_appeal_upheld": (
        "D-13",
        "{by}于 {at} 支持{agent}的申诉，按裁定归{agent}：{why}",
        "{by} upheld {agent}'s appeal on {at}; the verdict follows the ruling: {why}",
    ),
    "d_appeal_rejected": (
        "D-13",
        "{by}于 {at} 驳回申诉，属开发商：{why}",
        "{by} rejected the appeal on {at}: the house's: {why}",
    ),
    "d_appeal_late": (
        "D-13",
        "{agent}于 {at} 的申诉已超过 {days} 天申诉期，不予改变",
        "{agent}'s appeal decided on {at} came after the {days}-day appeal period and changes nothing",
    ),
    "r_accepted": (
        "D-12",
        "{agent}于 {at} 报备成功，保护至 {until}",
        "{agent}'s registration on {at} was accepted, protected until {until}",
    ),
    "r_accepted_visit": (
        "D-11",
        "{agent}于 {at} 报备成功；本项目以带看到访确认，报备本身不产生保护",
        "{agent}'s registration on {at} was accepted; in this project the claim starts at the escorted visit, "
        "so the registration itself protects nothing",
    ),
    "r_refused": (
        "D-12",
        "{agent}于 {at} 的报备未通过：{word}",
        "{agent}'s registration on {at} was refused: {word}",
    ),
    "r_elsewhere": (
        "ID-2",
        "{agent}报备的号码或姓氏与本客户不符，对本客户不产生保护",
        "the number or surname {agent} registered does not agree with this customer's: it protects nothing here",
    ),
    # A registration as its agent sees it ("my customers"): never another agent, owner or consultant (D-12).
    "a_registered": (
        "D-11",
        "报备成功，保护至 {until}",
        "registered, protected until {until}",
    ),
    "a_registered_visit": (
        "D-11",
        "报备成功；本项目以带看到访确认，到访后开始保护",
        "registered; in this project protection starts at the escorted visit",
    ),
    "a_visited": (
        "D-2",
        "已带看到访，保护至 {until}",
        "brought in for a visit, protected until {until}",
    ),
    "a_signed": (
        "D-2",
        "客户已于 {at} 签约，计入本渠道",
        "the customer signed on {at}, credited to this channel",
    ),
    "a_subscribed": (
        "D-2",
        "客户已于 {at} 认购（已交定金），计入本渠道；签约后为已签约",
        "the customer took a deposit on {at} (subscribed), credited to this channel; signed once the contract is",
    ),
    "a_public": (
        "D-3",
        "保护期已于 {until} 结束且未续期，客户现为公客",
        "protection ended on {until} without renewal: the customer is public",
    ),
    "a_lapsed": (
        "D-11",
        "报备保护已于 {until} 结束",
        "the registration's protection ended on {until}",
    ),
    "a_ended": (
        "D-8",
        "报备已失效，不再受保护",
        "the registration no longer protects the customer",
    ),
    "a_void": (
        "D-1",
        "带看到访未确认为分销客户，报备无效",
        "the escorted visit was not confirmed as a distributor's customer: the registration is void",
    ),
    "a_refused": (
        "D-12",
        "报备未通过：{word}",
        "the registration was refused: {word}",
    ),
    "r_scheme": (
        "D-11",
        "本项目保护方式：{scheme}",
        "this project's protection scheme: {scheme}",
    ),
    # risk signals (D-14): shown to the channel manager, never deciding
    "risk_details": (
        "D-14",
        "风控提示：{agent}于 {at} 报备的姓名或号码与客户资料不一致（资料可能在报备后被修改）",
        "risk: the name or number {agent} registered on {at} differs from the customer's record (changed since?)",
    ),
    "risk_deal_soon": (
        "D-14",
        "风控提示：{at} 成交距{agent}报备（{registered}）不足 {hours} 小时",
        "risk: the deal on {at} came within {hours} hours of {agent}'s registration on {registered}",
    ),
    "risk_several": (
        "D-14",
        "风控提示：{count} 家分销（{firms}）报备了同一家庭",
        "risk: {count} distributors ({firms}) registered one household",
    ),
    # splits
    "c_owner": (
        "IH-1",
        "业绩与佣金归客户归属人{owners}",
        "performance and commission go to the owner, {owners}",
    ),
    "c_assist": (
        "IH-11",
        "{closer}协助成交{owners}的客户，业绩与佣金仍归归属人",
        "{closer} assisted with {owners}'s customer: performance and commission stay with the owner",
    ),
    "c_free": (
        "IH-1",
        "客户成交时无归属，业绩与佣金归签约的{closer}",
        "the customer had no owner at the deal, so {closer} who signed gets performance and commission",
    ),
    "c_complaint": (
        "C-1",
        "因客户投诉更换顾问：业绩归{closer}，佣金{original}与{closer}各半",
        "consultant changed after a complaint: performance to {closer}, commission halved between "
        "{original} and {closer}",
    ),
    "c_special": (
        "C-2",
        "经特批调整：业绩归{closer}，佣金{original}与{closer}各半",
        "moved by special approval: performance to {closer}, commission halved between {original} and {closer}",
    ),
    "c_unknowing": (
        "C-3",
        "{closer}不知情深度接待并成交{original}的客户：业绩归{closer}，佣金各半",
        "{closer} unknowingly served and closed {original}'s customer: performance to {closer}, commission halved",
    ),
    "c_decisive": (
        "C-4",
        "{helper}的协助促成了交定/签约：业绩归{owners}，佣金 7:3",
        "{helper}'s help was decisive: performance to {owners}, commission 0.7 / 0.3",
    ),
    "c_signing_only": (
        "C-4",
        "客户已交定，{helper}仅协助签约：不分佣金，通报表扬并加 5 分",
        "the deposit was already paid and {helper} only helped sign: no commission, a commendation and +5 points",
    ),
    "c_poaching": (
        "C-5",
        "{poacher}明知故犯抢客：业绩与佣金全归{owners}，罚款 {fine} 元并扣 20 分",
        "{poacher} knowingly poached: performance and commission all to {owners}; fined {fine} yuan and 20 points",
    ),
    "c_poaching_suspended": (
        "C-5",
        "并停止接待 {days} 天",
        "and suspended from reception for {days} days",
    ),
    "c_staff_purchase": (
        "IH-14",
        "员工购房：业绩归签约的{closer}，佣金归部门公共基金",
        "a staff purchase: performance to {closer} who signed, commission to the department pool",
    ),
    "c_forfeit": (
        "IH-13",
        "{staff}因违规被辞退，佣金不予发放，转入公共基金",
        "{staff} was dismissed for violations: their commission is forfeited to the pool",
    ),
    "c_paid_after_leaving": (
        "IH-13",
        "{staff}已离职（{reason}），已签约佣金照发",
        "{staff} has left ({reason}); commission on signed deals is still paid",
    ),
    "c_balanced": (
        "C-7",
        "本单佣金分配：{parts}，合计为 1",
        "this deal's commission is divided {parts}, adding up to 1",
    ),
    "c_distributor_split": (
        "C-6",
        "分销佣金由{agents}平分",
        "the distributor commission is split between {agents}",
    ),
}

KIND_ZH = {
    "spouse": "夫妻",
    "parent_child": "父母子女",
    "grandparent_grandchild": "祖孙",
    "sibling": "兄弟姐妹",
    "partner": "男女朋友",
    "friend": "朋友",
    "same_person": "同一人",
}
KIND_EN = {
    "spouse": "spouses",
    "parent_child": "parent and child",
    "grandparent_grandchild": "grandparent and grandchild",
    "sibling": "siblings",
    "partner": "partners",
    "friend": "friends",
    "same_person": "the same person",
}


class Reason(NamedTuple):
    """One rule applied: its message code, the event it rests on, and the facts to fill in."""

    code: str
    event: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def rule(self) -> str:
        return MESSAGES[self.code][0]


def reason(code: str, event: str | None = None, **params: Any) -> Reason:
    # Made millions of times per rebuild: tuple.__new__ skips the named tuple's own Python-level __new__.
    return _new_tuple(Reason, (code, event, tuple(params.items())))


_new_tuple = tuple.__new__


# Which roster names the id a parameter holds. Ids of customers, staff and agents may coincide (the
# ledger numbers each table from 1), so a name is looked up only where that kind of person is meant;
# any other parameter (days, a site, a reason) is shown as given.
CUSTOMER_PARAMS = frozenset({"a", "b", "buyer", "confirmed", "member", "record", "records", "referrer", "who"})
AGENT_PARAMS = frozenset({"agent", "agents", "holder"})
STAFF_PARAMS = frozenset(
    {"approver", "by", "closer", "employee", "helper", "original", "owner", "owners", "parts", "poacher"}
    | {"previous", "staff"}
)
DISTRIBUTOR_PARAMS = frozenset({"distributor", "firms"})  # a firm's id: named, never shown as a number


class Describer:
    """Turn reasons into sentences: ids into names, moments into the project's local time."""

    def __init__(
        self,
        to_local: Callable[[datetime], datetime],
        *,
        customers: Mapping[str, str],
        agents: Mapping[str, str],
        staff: Mapping[str, str],
        distributors: Mapping[str, str] | None = None,
    ) -> None:
        self.to_local = to_local
        self._moments: dict[datetime, str] = {}  # a moment as shown, by moment: most are shown many times
        self._bare: dict[str, str] = {}  # a message without facts, as shown
        self._rosters: dict[str, Mapping[str, str]] = {}
        rosters = (
            (CUSTOMER_PARAMS, customers),
            (AGENT_PARAMS, agents),
            (STAFF_PARAMS, staff),
            (DISTRIBUTOR_PARAMS, distributors or {}),
        )
        for params, roster in rosters:
            for param in params:
                self._rosters[param] = roster

    def _value(self, value: Any, lang: str, names: Mapping[str, str] | None) -> str:
        if type(value) is str:  # most facts are ids of people: the commonest case first
            return names.get(value, value) if names is not None else value
        if isinstance(value, datetime):
            shown = self._moments.get(value)
            return shown if shown is not None else self._moment(value)
        if isinstance(value, dict):
            sep = "、" if lang == "zh" else ", "
            return sep.join(
                f"{self._name(k, names)} {float(v):g}" if v != 1 else self._name(k, names) for k, v in value.items()
            )
        if isinstance(value, list | tuple | set | frozenset):
            sep = "、" if lang == "zh" else ", "
            return sep.join(self._value(v, lang, names) for v in sorted(value, key=str))
        if value is None:
            return "—"
        return self._name(value, names)

    def _moment(self, value: datetime) -> str:
        """A moment as shown, in the project's time, to the minute (kept: most are shown many times)."""
        local = self.to_local(value)
        # "%Y-%m-%d %H:%M" from the fields: a third of isoformat's cost, which asks the zone for its
        # offset only to have it cut off (strftime pads no year below 1000, and is slower still)
        year = local.year
        shown = (
            "%04d-%02d-%02d %02d:%02d" % (year, local.month, local.day, local.hour, local.minute)  # noqa: UP031 (faster than an f-string here)
            if year >= 1000
            else local.strftime("%Y-%m-%d %H:%M")
        )
        self._moments[value] = shown
        return shown

    @staticmethod
    def _name(value: Any, names: Mapping[str, str] | None) -> str:
        text = str(value)
        return names.get(text, text) if names is not None else text

    def render(self, item: Reason, lang: str = "zh") -> str:
        _rule, zh, en = MESSAGES[item.code]
        pairs: Any = item.params  # each name once: a reason's params come from keyword arguments
        if lang != "zh":  # a fact given in both languages carries its English twin as `<name>_en`
            params = dict(pairs)
            params.update({k[:-3]: v for k, v in pairs if k.endswith("_en")})
            pairs = params.items()
        template = zh if lang == "zh" else en
        if not pairs:  # a reason with no facts (no distributor, free): the same text every time
            bare = self._bare.get(template)
            if bare is None:
                bare = self._bare[template] = template.format_map(_Missing())
            return bare
        # _value, with its two commonest cases first and written out: an id (named from its
        # roster) and a moment already shown once. A sentence fills a hundred thousand of these.
        values: dict[str, str] = {}
        rosters, moments = self._rosters, self._moments
        for key, fact in pairs:
            kind = type(fact)
            if kind is str:
                names = rosters.get(key)
                values[key] = fact if names is None else names.get(fact, fact)
            elif kind is datetime:
                shown = moments.get(fact)
                values[key] = shown if shown is not None else self._moment(fact)
            else:
                values[key] = self._value(fact, lang, rosters.get(key))
        try:
            return template.format_map(values)
        except KeyError:  # a fact this reason leaves out: shown as a dash (a plain dict is the quicker try)
            return template.format_map(_Missing(values))

    def sentence(self, reasons: tuple[Reason, ...], lang: str = "zh") -> str:
        """One sentence a consultant can read aloud, ending with the rule IDs it rests on."""
        parts: list[str] = []
        cited: dict[str, None] = {}
        render = self.render
        for item in reasons:
            text = render(item, lang)
            if text not in parts:
                parts.append(text)
            cited[MESSAGES[item.code][0]] = None  # as Reason.rule, without the property's call
        rules = ", ".join(cited)
        if lang == "zh":
            return "，".join(parts) + (f"（{rules}）" if rules else "")
        body = "; ".join(parts)
        return (body[:1].upper() + body[1:] if body else body) + (f" ({rules})." if rules else ".")


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"
