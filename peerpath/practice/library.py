"""The sample scenarios the demo program ships and any program can copy into its library
(written for the project; the people are invented). Each is a person, their situation, what
they hope for and a conversation: steps with what the person says and where each kind of reply
leads ("open": an open question, reflection or affirmation, or a safety check at a risk cue;
"close": advice without permission or judging; "other": anything else; "missed": a risk cue
left unchecked). The first step is where the conversation starts; steps with no branch end it.

Competencies are named by their number in the program's framework (4 communication, 5 open
conversation, 6 sharing one's experience, 8 non-judgmental attitudes, 9 emergencies).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as N_

SCENARIOS: list[dict[str, Any]] = [
    {
        "title": N_("Dana, three weeks after the hospital"),
        "area": "mh",
        "competencies": [4, 5],
        "persona": N_("Dana, 34, works in a call centre. Came home from a psychiatric ward three weeks ago."),
        "situation": N_("Back at work part-time, sleeping badly, and worried colleagues know where she was."),
        "hopes": N_("To feel less alone with it, and to find a way to face work without hiding."),
        "steps": [
            {
                "key": "start",
                "says": N_("I don't really know why I signed up for this. Work has been... a lot."),
                "good_reply": N_("Work has been a lot. What has it been like going back?"),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "says": N_("Everyone is polite, too polite. I keep wondering who knows I was in hospital."),
                "good_reply": N_("It sounds like the politeness makes you feel watched rather than welcome."),
                "open": "hope",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "guarded",
                "says": N_("It's fine, I guess. I just get through the day."),
                "good_reply": N_("Getting through the day takes a lot right now. What gets you through?"),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Yeah. Maybe. I should probably get going soon."),
                "good_reply": N_("I jumped in there. What would be most helpful to talk about?"),
                "open": "opens",
                "other": "flat-end",
                "close": "leaves",
            },
            {
                "key": "hope",
                "says": N_(
                    "Talking about it like this helps. Maybe I could tell my manager a "
                    "little. Could we meet again next week?"
                ),
            },
            {"key": "flat-end", "says": N_("Okay. Thanks for your time.")},
            {"key": "leaves", "says": N_("I don't think this is for me. Bye.")},
        ],
    },
    {
        "title": N_("Marcus, ninety days sober"),
        "area": "ar",
        "competencies": [5, 6, 8],
        "persona": N_("Marcus, 41, a roofer, ninety days sober from alcohol after his second try at treatment."),
        "situation": N_("His brother's wedding is in two weeks, with an open bar and his old drinking friends."),
        "hopes": N_("To go to the wedding and stay sober, without being the guy who can't be around anyone."),
        "steps": [
            {
                "key": "start",
                "says": N_("So my brother's getting married. Open bar. All the old crew will be there."),
                "good_reply": N_(
                    "You want to be there for your brother, and the open bar worries you. What are you thinking?"
                ),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "says": N_(
                    "I want to be there for him. I just don't know how to say no to a drink when everyone's toasting."
                ),
                "good_reply": N_("Would it help to hear what other people have done at weddings?"),
                "open": "plan",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "guarded",
                "says": N_("It's whatever. I'll figure it out."),
                "good_reply": N_("You've figured out a lot in ninety days. What's worked so far?"),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Easy for you to say. You don't know my family."),
                "good_reply": N_("You're right, I don't know them. What would they expect from you that day?"),
                "open": "opens",
                "other": "flat-end",
                "close": "leaves",
            },
            {
                "key": "plan",
                "says": N_(
                    "Maybe I could bring a soda water and leave before the dancing. And "
                    "call my sponsor on the way home."
                ),
            },
            {"key": "flat-end", "says": N_("Yeah. Anyway, I'll see how it goes.")},
            {"key": "leaves", "says": N_("Forget it. I'll just skip the meeting next week.")},
        ],
    },
    {
        "title": N_("Rosa, living with lupus"),
        "area": "ci",
        "competencies": [4, 8],
        "persona": N_("Rosa, 52, a school librarian diagnosed with lupus two years ago."),
        "situation": N_("Flares have made her miss work; her family tells her she looks fine."),
        "hopes": N_("To be believed, and to find a way to pace herself without giving up what she loves."),
        "steps": [
            {
                "key": "start",
                "says": N_("Everyone tells me I look great. Then I spend two days in bed."),
                "good_reply": N_("People see you on your good days and miss what it costs you."),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "says": N_("Exactly. My sister said I should just push through like she does with her back."),
                "good_reply": N_("It hurts to be compared when they can't see what you carry."),
                "open": "hope",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "guarded",
                "says": N_("I'm used to it. It's not a big deal."),
                "good_reply": N_("You've had to get used to a lot. What's the hardest part?"),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Right. I've heard that one before."),
                "good_reply": N_("That didn't land well. Tell me what you'd want people to understand."),
                "open": "opens",
                "other": "flat-end",
                "close": "leaves",
            },
            {
                "key": "hope",
                "says": N_(
                    "Nobody has asked me that in a long time. Maybe I can plan my week "
                    "around the library days I love most."
                ),
            },
            {"key": "flat-end", "says": N_("Anyway. It is what it is.")},
            {"key": "leaves", "says": N_("I think I'm too tired for this today.")},
        ],
    },
    {
        "title": N_("James, a year out of the army"),
        "area": "vet",
        "competencies": [5, 6],
        "persona": N_("James, 29, served two deployments as an infantry sergeant; left the army a year ago."),
        "situation": N_("Working nights in a warehouse, arguing with his partner, avoiding crowds."),
        "hopes": N_("To feel useful again and to stop snapping at the people he loves."),
        "steps": [
            {
                "key": "start",
                "says": N_("My girlfriend made me come. She says I'm not the same guy."),
                "good_reply": N_("She sees a change in you. What do you see?"),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "says": N_("Over there I knew what I was for. Here I stack boxes and yell at her over the dishes."),
                "good_reply": N_(
                    "You miss having a purpose, and the anger is getting in the way of what matters at home."
                ),
                "open": "hope",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "guarded",
                "says": N_("I'm fine. Lots of guys have it worse."),
                "good_reply": N_("Others had it hard too, and you still matter. What's been hardest for you?"),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Yeah, I've heard that from the VA too."),
                "good_reply": N_("You've heard a lot of advice. What would actually help?"),
                "open": "opens",
                "other": "flat-end",
                "close": "leaves",
            },
            {
                "key": "hope",
                "says": N_("Maybe I could check out that veterans' group. Doing something for other guys might help."),
            },
            {"key": "flat-end", "says": N_("Okay. I'll tell her I came.")},
            {"key": "leaves", "says": N_("This is a waste of time.")},
        ],
    },
    {
        "title": N_("Terrell, two weeks home"),
        "area": "re",
        "competencies": [4, 5, 8],
        "persona": N_("Terrell, 38, released two weeks ago after seven years in state prison."),
        "situation": N_("Staying on his aunt's couch, three job rejections, a curfew and weekly parole meetings."),
        "hopes": N_("A steady job, his own place, and to earn back his teenage son's trust."),
        "steps": [
            {
                "key": "start",
                "says": N_("Third place turned me down today. Soon as they see the box checked, it's over."),
                "good_reply": N_("You're doing everything asked of you and the record still closes doors."),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "says": N_("And my son barely talks to me. Seven years is a long time for a kid."),
                "good_reply": N_("You want to be his dad again, and you're not sure how to reach him."),
                "open": "hope",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "guarded",
                "says": N_("Whatever. I'm used to people judging me."),
                "good_reply": N_("You've been judged a lot. What would you want people to see in you?"),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Yeah, you sound like my PO."),
                "good_reply": N_("Fair. I'd rather hear what you think would help."),
                "open": "opens",
                "other": "flat-end",
                "close": "leaves",
            },
            {
                "key": "hope",
                "says": N_(
                    "Maybe I'll write him a letter first. Less pressure than a call. And I "
                    "heard about a second-chance hiring fair."
                ),
            },
            {"key": "flat-end", "says": N_("Alright. I got to get back before curfew anyway.")},
            {"key": "leaves", "says": N_("I'm done here.")},
        ],
    },
    {
        "title": N_("Sam, who wants it all to stop"),
        "area": "mh",
        "competencies": [4, 9],
        "persona": N_("Sam, 22, a college student living alone; lost a part-time job last month."),
        "situation": N_("Not sleeping, skipping classes, and has stopped answering friends' messages."),
        "hopes": N_("To be taken seriously, though Sam would not say so at first."),
        "steps": [
            {
                "key": "start",
                "says": N_("I haven't been to class in two weeks. I just sleep or stare at my phone."),
                "good_reply": N_("Things have got really heavy. What have these two weeks been like?"),
                "open": "cue",
                "other": "cue",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Yeah, I know. Everyone keeps telling me that."),
                "good_reply": N_("I'm sorry, I rushed in. What's been going on for you?"),
                "open": "cue",
                "other": "cue",
                "close": "cue",
            },
            {
                "key": "cue",
                "risk_cue": True,
                "says": N_("Honestly, sometimes I think everyone would be better off if I just wasn't around."),
                "good_reply": N_(
                    "When you say everyone would be better off without you, are you thinking about suicide?"
                ),
                "open": "safety",
                "missed": "escalates",
            },
            {
                "key": "escalates",
                "risk_cue": True,
                "says": N_("I gave my guitar to my roommate yesterday. I won't need it."),
                "good_reply": N_("Giving away your guitar worries me. Are you thinking of ending your life?"),
                "open": "safety",
                "missed": "unchecked-end",
            },
            {
                "key": "safety",
                "says": N_(
                    "...Yeah. I've thought about it. I don't have a plan, I think. Nobody has ever just asked me."
                ),
                "good_reply": N_(
                    "Thank you for telling me. Who could be with you tonight, and can we call the crisis line together?"
                ),
                "open": "plan",
                "other": "plan",
                "close": "plan",
            },
            {"key": "plan", "says": N_("My sister, maybe. Okay. Can you stay with me while I call the crisis line?")},
            {"key": "unchecked-end", "says": N_("Anyway. Thanks for listening, I guess. Bye.")},
        ],
    },
    {
        "title": N_("Lena, after a slip"),
        "area": "ar",
        "competencies": [6, 8],
        "persona": N_("Lena, 27, a nursing assistant, eight months off opioids on buprenorphine."),
        "situation": N_("Used once at a friend's party last weekend and is ashamed to tell her sponsor."),
        "hopes": N_("To not lose everything she has built, and to be honest without being written off."),
        "steps": [
            {
                "key": "start",
                "says": N_("I messed up on Saturday. I used. Please don't tell me I threw it all away."),
                "good_reply": N_("It took courage to say that. Eight months didn't disappear on Saturday."),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "says": N_("I haven't told my sponsor. She's going to be so disappointed."),
                "good_reply": N_("You care a lot about what she thinks, and you're scared of letting her down."),
                "open": "hope",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "guarded",
                "says": N_("It was just once. It's fine."),
                "good_reply": N_("Part of you wants to move past it, and part of you is still shaken. What happened?"),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("See, this is why I didn't want to say anything."),
                "good_reply": N_("I'm glad you did say something. What do you need right now?"),
                "open": "opens",
                "other": "flat-end",
                "close": "leaves",
            },
            {
                "key": "hope",
                "says": N_("Maybe I'll call her tonight. Saying it out loud to you made it feel less like the end."),
            },
            {"key": "flat-end", "says": N_("Forget I mentioned it.")},
            {"key": "leaves", "says": N_("I have to go.")},
        ],
    },
    {
        "title": N_("Walter, after the diagnosis"),
        "area": "ci",
        "competencies": [4, 6, 9],
        "persona": N_(
            "Walter, 67, a retired bus driver, diagnosed with heart failure last month; his wife died last year."
        ),
        "situation": N_("Lives alone, confused by his new medications, skipping meals."),
        "hopes": N_("To stay in his own home, and for someone to notice he is struggling."),
        "steps": [
            {
                "key": "start",
                "says": N_("The doctor gave me five new pills. My wife always handled that kind of thing."),
                "good_reply": N_("You're missing her, and all of this lands on you now. How are you managing?"),
                "open": "opens",
                "other": "guarded",
                "close": "closes",
            },
            {
                "key": "opens",
                "risk_cue": True,
                "says": N_("Some days I skip them. What's the point, with her gone. I don't much care if I wake up."),
                "good_reply": N_(
                    "When you say you don't care if you wake up, are you thinking about ending your life?"
                ),
                "open": "safety",
                "missed": "escalates",
            },
            {
                "key": "guarded",
                "says": N_("I manage. I'm not one to complain."),
                "good_reply": N_(
                    "You've carried a lot without complaining. What has been hardest since the diagnosis?"
                ),
                "open": "opens",
                "other": "flat-end",
                "close": "closes",
            },
            {
                "key": "closes",
                "says": N_("Hm. My son says the same thing."),
                "good_reply": N_("I'm hearing that people tell you what to do a lot. What do you want?"),
                "open": "opens",
                "other": "flat-end",
                "close": "flat-end",
            },
            {
                "key": "escalates",
                "risk_cue": True,
                "says": N_("I've stopped the heart pills altogether this week. Let nature take its course."),
                "good_reply": N_(
                    "Stopping the pills so nature takes its course sounds serious. Are you hoping to die?"
                ),
                "open": "safety",
                "missed": "unchecked-end",
            },
            {
                "key": "safety",
                "says": N_("I wouldn't do anything. But yes, I've wished I wouldn't wake up. Nobody asked before."),
                "good_reply": N_("Thank you for telling me. Could we call your doctor together about the pills today?"),
                "open": "plan",
                "other": "plan",
                "close": "plan",
            },
            {"key": "plan", "says": N_("Alright. If you'll sit with me, I'll ring the doctor's office and my son.")},
            {"key": "flat-end", "says": N_("Well. I'll let you get on.")},
            {"key": "unchecked-end", "says": N_("Don't worry about me. I'll be fine on my own.")},
        ],
    },
]

BRANCH_FIELDS = {"open": "on_open", "other": "on_other", "close": "on_close", "missed": "on_missed_risk"}
